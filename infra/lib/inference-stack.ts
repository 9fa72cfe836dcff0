import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';
import { REDIS_PORT } from './data-stack';
import { GpuCapacity } from './gpu-capacity';
import { acknowledge, BUCKET_GRANT_ACTIONS, BUCKET_WRITE_ACTIONS, objectsFinding } from './nag';
import { SUBNET } from './network-stack';
import { importBuckets, RuntimeResources } from './runtime-env';
import { WORKER_PORT, WorkerTask } from './worker-task';

export interface InferenceStackProps extends StackProps {
  readonly config: PlatformConfig;
  readonly vpc: ec2.IVpc;
  readonly workerRepository: ecr.IRepository;
  readonly runtime: RuntimeResources;
  readonly queue: sqs.IQueue;
  readonly database: rds.IDatabaseCluster;
  readonly cacheSecurityGroup: ec2.ISecurityGroup;
}

/** GPU inference on ECS: an async service that drains the queue and a real-time service behind an internal ALB. */
export class InferenceStack extends Stack {
  readonly cluster: ecs.Cluster;
  readonly gpu: GpuCapacity;
  readonly asyncService: ecs.Ec2Service;
  readonly realtimeService: ecs.Ec2Service;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** What the api puts in WORKER_URL. */
  readonly workerUrl: string;

  constructor(scope: Construct, id: string, props: InferenceStackProps) {
    super(scope, id, props);
    const { config, vpc, runtime } = props;
    const taskSubnets = { subnetGroupName: SUBNET.tasks };
    const buckets = importBuckets(this, runtime);
    const image = ecs.ContainerImage.fromEcrRepository(props.workerRepository, config.imageTag);

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.gpu = new GpuCapacity(this, 'Gpu', { config, vpc, cluster: this.cluster });
    const onGpu = [{ capacityProvider: this.gpu.capacityProvider.capacityProviderName, weight: 1 }];

    const workerAccess = (service: ecs.Ec2Service) => {
      acknowledge(
        service,
        'Workers need open egress (Stripe over NAT, AWS endpoints); the explicit egress rules only document intent',
        'Annotation::@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
      );
      service.connections.allowToDefaultPort(props.database, 'workers -> Aurora');
      service.connections.allowTo(
        props.cacheSecurityGroup,
        ec2.Port.tcpRange(REDIS_PORT, REDIS_PORT + 1),
        'workers -> cache',
      );
    };

    // Async: from zero to asyncWorkerMaxTasks on the queue's backlog.
    const asyncTask = new WorkerTask(this, 'AsyncWorker', { config, image, runtime, mode: 'async' });
    props.queue.grantConsumeMessages(asyncTask.taskDefinition.taskRole);
    // Jobs include training and quantisation: they read datasets and write new versions' artifacts.
    buckets.artifacts.grantReadWrite(asyncTask.taskDefinition.taskRole);
    this.asyncService = new ecs.Ec2Service(this, 'AsyncService', {
      cluster: this.cluster,
      taskDefinition: asyncTask.taskDefinition,
      desiredCount: 0,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      capacityProviderStrategies: onGpu,
      vpcSubnets: taskSubnets,
      circuitBreaker: { rollback: true },
    });
    workerAccess(this.asyncService);
    this.scaleOnBacklog(config, props.queue);

    // Real-time: reached by the api only, through an internal ALB.
    const realtimeTask = new WorkerTask(this, 'RealtimeWorker', { config, image, runtime, mode: 'realtime' });
    buckets.artifacts.grantRead(realtimeTask.taskDefinition.taskRole);
    this.realtimeService = new ecs.Ec2Service(this, 'RealtimeService', {
      cluster: this.cluster,
      taskDefinition: realtimeTask.taskDefinition,
      desiredCount: config.realtimeMinTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      capacityProviderStrategies: onGpu,
      vpcSubnets: taskSubnets,
      circuitBreaker: { rollback: true },
    });
    workerAccess(this.realtimeService);
    for (const task of [asyncTask, realtimeTask]) {
      acknowledge(
        task.taskDefinition.taskRole,
        'Grant on the artifact bucket (models are many content-addressed objects under tenant prefixes) and its KMS key: read-only for real-time, read-write for jobs (training writes versions)',
        ...BUCKET_GRANT_ACTIONS,
        ...BUCKET_WRITE_ACTIONS,
        objectsFinding(buckets.artifacts),
      );
      acknowledge(
        task.taskDefinition,
        'Only non-secret configuration is in plain environment variables; every secret comes from Secrets Manager through `secrets`',
        'AwsSolutions-ECS2',
      );
      acknowledge(
        task.taskDefinition.obtainExecutionRole(),
        'ecr:GetAuthorizationToken has no resource-level permissions (AWS API design)',
        'AwsSolutions-IAM5[Resource::*]',
      );
    }

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'InternalAlb', {
      vpc,
      internetFacing: false,
      vpcSubnets: taskSubnets,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(this.albLogBucket());
    const certificateArn = config.workerCertificateArn;
    const listener = this.loadBalancer.addListener(
      'Workers',
      certificateArn
        ? {
            port: 443,
            protocol: elbv2.ApplicationProtocol.HTTPS,
            certificates: [{ certificateArn }],
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
            open: false,
          }
        : { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false },
    );
    this.targetGroup = listener.addTargets('Realtime', {
      port: WORKER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.realtimeService],
      healthCheck: { path: '/healthz', interval: Duration.seconds(15), healthyThresholdCount: 2 },
      deregistrationDelay: Duration.seconds(30),
    });
    this.workerUrl = `${certificateArn ? 'https' : 'http'}://${this.loadBalancer.loadBalancerDnsName}`;

    const realtimeScaling = this.realtimeService.autoScaleTaskCount({
      minCapacity: config.realtimeMinTasks,
      maxCapacity: config.realtimeMaxTasks,
    });
    realtimeScaling.scaleOnRequestCount('RequestsPerTask', { requestsPerTarget: 600, targetGroup: this.targetGroup });
  }

  /**
   * Step scaling on backlog = visible + in-flight messages. Counting in-flight jobs keeps a task
   * alive while it still works; the service only reaches zero when the queue is truly empty.
   */
  private scaleOnBacklog(config: PlatformConfig, queue: sqs.IQueue): void {
    const period = Duration.minutes(1);
    const backlog = new cw.MathExpression({
      label: 'Queue backlog',
      expression: 'visible + inflight',
      usingMetrics: {
        visible: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        inflight: queue.metricApproximateNumberOfMessagesNotVisible({ period, statistic: 'Maximum' }),
      },
      period,
    });
    const max = config.asyncWorkerMaxTasks;
    this.asyncService.autoScaleTaskCount({ minCapacity: 0, maxCapacity: max }).scaleOnMetric('QueueDepth', {
      metric: backlog,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -max },
        { lower: 1, change: +1 },
        { lower: 20, change: +2 },
        { lower: 100, change: +max },
      ],
      cooldown: Duration.minutes(1),
      evaluationPeriods: 1,
    });
  }

  private albLogBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AlbLogs', {
      // ALB access log delivery writes with SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(bucket, 'This is the log bucket; logging it into itself would loop', 'AwsSolutions-S1');
    return bucket;
  }
}
