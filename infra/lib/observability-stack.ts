import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';
import { GPU_METRIC_NAMESPACE } from './gpu-capacity';

export interface ObservabilityStackProps extends StackProps {
  readonly config: PlatformConfig;
  readonly httpApi: apigwv2.IHttpApi;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly database: rds.DatabaseCluster;
  readonly gpuAutoScalingGroup: autoscaling.IAutoScalingGroup;
}

/** One dashboard and the alarms an on-call engineer acts on; alarms notify an encrypted SNS topic. */
export class ObservabilityStack extends Stack {
  readonly alarms: cw.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const period = Duration.minutes(5);

    const topic = new sns.Topic(this, 'Alarms', {
      masterKey: new kms.Key(this, 'AlarmsKey', { enableKeyRotation: true, description: 'Alarm notifications' }),
      enforceSSL: true,
    });
    if (config.alarmEmail) topic.addSubscription(new subs.EmailSubscription(config.alarmEmail));

    const api5xx = props.httpApi.metricServerError({ period, statistic: 'Sum' });
    const apiP99 = props.httpApi.metricLatency({ period, statistic: 'p99' });
    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' });
    const queueAge = props.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' });
    const gpuUtil = new cw.Metric({
      namespace: GPU_METRIC_NAMESPACE,
      metricName: 'nvidia_smi_utilization_gpu',
      dimensionsMap: { AutoScalingGroupName: props.gpuAutoScalingGroup.autoScalingGroupName },
      statistic: 'Average',
      period,
    });
    const dbCapacity = props.database.metricServerlessDatabaseCapacity({ period, statistic: 'Maximum' });

    const alarm = (name: string, metric: cw.IMetric, threshold: number, description: string, periods = 1) => {
      const a = new cw.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new cwActions.SnsAction(topic));
      this.alarms.push(a);
      return a;
    };
    alarm('Api5xx', api5xx, 5, 'api answered 5xx at least 5 times in 5 minutes');
    alarm('ApiP99', apiP99, 3000, 'api p99 latency at or above 3 s', 2);
    alarm('DlqDepth', dlqDepth, 1, 'an inference job exhausted its retries and sits in the dead-letter queue');
    alarm(
      'QueueAge',
      queueAge,
      config.longestJobSeconds,
      'the oldest queued job waited longer than the longest job runs: workers are not keeping up',
      2,
    );
    alarm(
      'GpuUtilisation',
      gpuUtil,
      90,
      'GPU fleet above 90% for 15 minutes: raise maxGpuInstances or the task maximums',
      3,
    );
    alarm('AuroraCapacity', dbCapacity, config.dbMaxAcu * 0.9, 'Aurora at 90% of its maximum ACUs', 3);

    const dashboard = new cw.Dashboard(this, 'Dashboard', { dashboardName: `${config.prefix}-platform` });
    const graph = (title: string, ...left: cw.IMetric[]) => new cw.GraphWidget({ title, left, width: 8 });
    dashboard.addWidgets(
      graph('API 5xx', api5xx),
      graph('API latency p99 (ms)', apiP99),
      graph('API requests', props.httpApi.metricCount({ period, statistic: 'Sum' })),
    );
    dashboard.addWidgets(
      graph('Queue depth', props.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' })),
      graph('Oldest job age (s)', queueAge),
      graph('Dead-letter queue', dlqDepth),
    );
    dashboard.addWidgets(graph('GPU utilisation (%)', gpuUtil), graph('Aurora ACUs', dbCapacity));
    dashboard.addWidgets(new cw.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }
}
