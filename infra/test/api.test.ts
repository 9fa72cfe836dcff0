import { Match } from 'aws-cdk-lib/assertions';
import { synthPlatform, templateOf } from './platform.fixture';

const { platform, config } = synthPlatform();
const api = templateOf(platform.api);
const edge = templateOf(platform.edge);
const network = templateOf(platform.network);
const observability = templateOf(platform.observability);

describe('api, network and observability', () => {
  it('runs the api as a container-image Lambda inside the VPC', () => {
    api.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          QUEUE_DRIVER: 'sqs',
          ARTIFACT_STORE: 's3',
          DATABASE_SECRET_ARN: Match.anyValue(),
        }),
      },
    });
    const fns = JSON.stringify(api.findResources('AWS::Lambda::Function'));
    expect(fns).not.toMatch(/STRIPE_SECRET_KEY|DATABASE_URL/);
  });

  it('invokes the api function on a schedule for the audit export and purge (they must run with the GPU workers at zero)', () => {
    api.hasResourceProperties('AWS::Events::Rule', {
      // The default interval, 1440 minutes, is written as a day.
      ScheduleExpression:
        config.auditExportIntervalMinutes === 1440 ? 'rate(1 day)' : Match.stringLikeRegexp('^rate\\('),
      State: 'ENABLED',
      Targets: Match.arrayWith([Match.objectLike({ Arn: Match.anyValue(), RetryPolicy: { MaximumRetryAttempts: 2 } })]),
    });
    api.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
    });
  });

  it('throttles the HTTP API stage and writes access logs', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.objectLike({
        ThrottlingRateLimit: config.apiRateLimitPerSecond,
        ThrottlingBurstLimit: config.apiBurstLimit,
      }),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('puts a WAF rate rule in front of the api', () => {
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: { RateBasedStatement: { Limit: config.wafRequestsPer5MinPerIp, AggregateKeyType: 'IP' } },
        }),
      ]),
    });
    api.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: Match.anyValue() }),
    });
  });

  it('runs migrations before the live alias moves', () => {
    api.resourceCountIs('Custom::Trigger', 1);
    const aliases = api.findResources('AWS::Lambda::Alias');
    const [alias] = Object.values(aliases);
    const triggerId = Object.keys(api.findResources('Custom::Trigger'))[0];
    expect(alias.DependsOn).toEqual(expect.arrayContaining([triggerId]));
    api.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [Match.objectLike({ Command: ['node', 'libs/db/migrations/cli.mjs', 'deploy'] })],
    });
  });

  it('spans two AZs with endpoints for S3, SQS, ECR, Secrets Manager and CloudWatch', () => {
    network.resourceCountIs('AWS::EC2::Subnet', 6);
    const endpoints = JSON.stringify(network.findResources('AWS::EC2::VPCEndpoint'));
    for (const service of ['.s3', '.sqs', '.ecr.api', '.ecr.dkr', '.secretsmanager', '.logs', '.monitoring']) {
      expect(endpoints).toContain(service);
    }
  });

  it('alarms on api 5xx and p99, DLQ depth, queue age, GPU utilisation and Aurora capacity', () => {
    const alarms = JSON.stringify(observability.findResources('AWS::CloudWatch::Alarm'));
    for (const metric of [
      '5xx',
      'Latency',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'nvidia_smi_utilization_gpu',
      'ServerlessDatabaseCapacity',
    ]) {
      expect(alarms).toContain(metric);
    }
    observability.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('sets a retention on every log group', () => {
    for (const stack of platform.stacks) {
      for (const group of Object.values(templateOf(stack).findResources('AWS::Logs::LogGroup'))) {
        expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
      }
    }
  });
});
