import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';
import { REDIS_PORT } from './data-stack';
import { Migration } from './migration';
import { acknowledge, BUCKET_GRANT_ACTIONS, objectsFinding } from './nag';
import { SUBNET } from './network-stack';
import { allSecrets, importBuckets, lambdaSecretArns, plainEnvironment, RuntimeResources } from './runtime-env';

export interface ApiStackProps extends StackProps {
  readonly config: PlatformConfig;
  readonly vpc: ec2.IVpc;
  readonly apiRepository: ecr.IRepository;
  readonly runtime: RuntimeResources;
  readonly database: rds.IDatabaseCluster;
  readonly cacheSecurityGroup: ec2.ISecurityGroup;
  readonly cluster: ecs.ICluster;
  readonly workerLoadBalancer: elbv2.IApplicationLoadBalancer;
  readonly workerUrl: string;
  readonly webAclArn: string;
}

/** The NestJS api on Lambda (container image) behind an HTTP API, fronted by CloudFront + WAF. */
export class ApiStack extends Stack {
  readonly function: lambda.DockerImageFunction;
  readonly httpApi: apigwv2.HttpApi;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, vpc, runtime } = props;

    const securityGroup = new ec2.SecurityGroup(this, 'ApiSg', { vpc, description: 'api Lambda and migration task' });
    securityGroup.connections.allowToDefaultPort(props.database, 'api -> Aurora');
    securityGroup.connections.allowTo(
      props.cacheSecurityGroup,
      ec2.Port.tcpRange(REDIS_PORT, REDIS_PORT + 1),
      'api -> cache',
    );
    acknowledge(
      securityGroup,
      'Egress is open (Stripe over NAT, AWS endpoints); the explicit egress rules only document intent',
      'Annotation::@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
    );
    securityGroup.connections.allowTo(
      props.workerLoadBalancer,
      ec2.Port.tcp(config.workerCertificateArn ? 443 : 80),
      'api -> workers',
    );

    this.function = new lambda.DockerImageFunction(this, 'Api', {
      code: lambda.DockerImageCode.fromEcr(props.apiRepository, { tagOrDigest: config.imageTag }),
      memorySize: 2048,
      timeout: Duration.seconds(29),
      vpc,
      vpcSubnets: { subnetGroupName: SUBNET.tasks },
      securityGroups: [securityGroup],
      environment: { ...plainEnvironment(runtime), ...lambdaSecretArns(runtime), WORKER_URL: props.workerUrl },
      tracing: lambda.Tracing.ACTIVE,
      logGroup: new logs.LogGroup(this, 'ApiLogs', {
        retention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    for (const secret of allSecrets(runtime)) secret.grantRead(this.function);
    runtime.queue.grantSendMessages(this.function);
    const buckets = importBuckets(this, runtime);
    buckets.artifacts.grantReadWrite(this.function);
    // Exports are written once and read back for verification; Object Lock forbids deletes anyway.
    buckets.audit.grantPut(this.function);
    buckets.audit.grantRead(this.function);

    acknowledge(
      this.function,
      "AWS-managed policies limited to the function's own logs and VPC ENIs; ENI actions and xray:Put* have no resource-level form. Bucket and key grants are scoped to the artifact and audit buckets and the data key.",
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      ...BUCKET_GRANT_ACTIONS,
      objectsFinding(buckets.artifacts),
      objectsFinding(buckets.audit),
    );

    // Traffic follows the alias; the alias moves only after the migration trigger succeeded.
    const live = new lambda.Alias(this, 'Live', { aliasName: 'live', version: this.function.currentVersion });
    new Migration(this, 'Migration', {
      config,
      vpc,
      cluster: props.cluster,
      image: ecs.ContainerImage.fromEcrRepository(props.apiRepository, config.imageTag),
      runtime,
      securityGroup,
      before: [live],
    });

    // The scheduled audit export (and the retention purge after it) must run even when the GPU
    // workers, whose timers also run it, are scaled to zero: EventBridge invokes the api function
    // with a Scheduled Event, which lambda.ts answers by running one pass of both duties.
    if (config.auditExportIntervalMinutes > 0) {
      new events.Rule(this, 'AuditDutiesSchedule', {
        description: 'Scheduled audit export per tenant with new events, then the retention purge',
        schedule: events.Schedule.rate(Duration.minutes(config.auditExportIntervalMinutes)),
        targets: [new eventTargets.LambdaFunction(live, { retryAttempts: 2 })],
      });
    }

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Model-as-a-Service api',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Lambda', live),
    });
    acknowledge(
      this.httpApi,
      "Authentication is the application's own (API keys, portal sessions, Stripe webhook signatures), checked per request in NestJS guards",
      'AwsSolutions-APIG4',
    );
    new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiRateLimitPerSecond, burstLimit: config.apiBurstLimit },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs) },
    });

    const apiDomain = Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint));
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'Model-as-a-Service api (WAF)',
      webAclId: props.webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: new origins.HttpOrigin(apiDomain, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    new CfnOutput(this, 'PublicUrl', { value: `https://${this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'ApiFunctionName', { value: this.function.functionName });
    acknowledge(
      this.distribution,
      'A global API: customers call from anywhere; WAF blocks abuse instead',
      'AwsSolutions-CFR1',
    );
    acknowledge(
      this.distribution,
      'Every request is logged by the API Gateway access log and counted by WAF; CloudFront standard logs would need an ACL-enabled bucket',
      'AwsSolutions-CFR3',
    );
    acknowledge(
      this.distribution,
      'The default *.cloudfront.net certificate fixes the viewer policy; a custom domain with its ACM certificate (README) enforces TLSv1.2_2021',
      'AwsSolutions-CFR4',
    );
  }
}
