import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';
import { acknowledge } from './nag';
import { SUBNET } from './network-stack';
import { ecsSecrets, plainEnvironment, RuntimeResources } from './runtime-env';

export interface MigrationProps {
  readonly config: PlatformConfig;
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.ICluster;
  /** The api image: it carries libs/db/migrations and prisma/migrations. */
  readonly image: ecs.ContainerImage;
  readonly runtime: RuntimeResources;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Constructs that must wait for the migration (the api alias that takes the traffic). */
  readonly before: Construct[];
}

/**
 * Runs `node libs/db/migrations/cli.mjs deploy` as a one-off Fargate task during the deployment
 * and waits for its exit code. A failed migration fails the deployment before the new api
 * version receives traffic, and CloudFormation rolls back.
 */
export class Migration extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: MigrationProps) {
    super(scope, id);
    const { config } = props;
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    this.taskDefinition.addContainer('migrate', {
      image: props.image,
      entryPoint: ['/usr/local/bin/container-entrypoint.sh'],
      command: ['node', 'libs/db/migrations/cli.mjs', 'deploy'],
      workingDirectory: '/var/task',
      environment: plainEnvironment(props.runtime),
      secrets: ecsSecrets(props.runtime),
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'migrate',
        logGroup: new logs.LogGroup(this, 'Logs', {
          retention: config.logRetentionDays as logs.RetentionDays,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      }),
    });

    const subnets = props.vpc.selectSubnets({ subnetGroupName: SUBNET.tasks }).subnetIds;
    const runner = new lambda.Function(this, 'Runner', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(RUNNER_SOURCE),
      timeout: Duration.minutes(14),
      environment: {
        CLUSTER: props.cluster.clusterArn,
        TASK_DEFINITION: this.taskDefinition.taskDefinitionArn,
        SUBNETS: subnets.join(','),
        SECURITY_GROUP: props.securityGroup.securityGroupId,
        // A new image tag is a new function version, which makes the trigger run again.
        IMAGE_TAG: config.imageTag,
      },
      logGroup: new logs.LogGroup(this, 'RunnerLogs', {
        retention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    runner.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [this.taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
      }),
    );
    runner.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
      }),
    );
    runner.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.taskDefinition.taskRole.roleArn, this.taskDefinition.executionRole!.roleArn],
      }),
    );

    acknowledge(
      this.taskDefinition,
      'Only non-secret configuration is in plain environment variables; secrets come from Secrets Manager',
      'AwsSolutions-ECS2',
    );
    acknowledge(
      this.taskDefinition.obtainExecutionRole(),
      'ecr:GetAuthorizationToken has no resource-level permissions',
      'AwsSolutions-IAM5[Resource::*]',
    );
    acknowledge(
      runner,
      'AWSLambdaBasicExecutionRole only lets the function write its own logs; ecs:DescribeTasks has no resource-level form and is limited to this cluster by condition',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM5[Resource::*]',
    );

    new triggers.Trigger(this, 'BeforeTraffic', {
      handler: runner,
      executeBefore: props.before,
      timeout: Duration.minutes(14),
      executeOnHandlerChange: true,
    });
  }
}

/** Inline so that synthesis needs no bundler; the Node.js runtime ships the AWS SDK v3. */
const RUNNER_SOURCE = `
const { ECSClient, RunTaskCommand, DescribeTasksCommand } = require('@aws-sdk/client-ecs');
const ecs = new ECSClient({});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
exports.handler = async () => {
  const e = process.env;
  const run = await ecs.send(new RunTaskCommand({
    cluster: e.CLUSTER, taskDefinition: e.TASK_DEFINITION, launchType: 'FARGATE', count: 1,
    networkConfiguration: { awsvpcConfiguration: { subnets: e.SUBNETS.split(','), securityGroups: [e.SECURITY_GROUP], assignPublicIp: 'DISABLED' } },
  }));
  if (!run.tasks || run.tasks.length !== 1) throw new Error('migration task did not start: ' + JSON.stringify(run.failures));
  const arn = run.tasks[0].taskArn;
  for (;;) {
    await sleep(10000);
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: e.CLUSTER, tasks: [arn] }));
    const task = tasks && tasks[0];
    if (!task || task.lastStatus !== 'STOPPED') continue;
    const code = task.containers && task.containers[0] && task.containers[0].exitCode;
    if (code !== 0) throw new Error('migration failed (exit ' + code + '): ' + task.stoppedReason + ', logs in ' + arn);
    return { task: arn, exitCode: code };
  }
};
`;
