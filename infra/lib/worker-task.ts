import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';
import { ecsSecrets, plainEnvironment, RuntimeResources } from './runtime-env';

export const WORKER_PORT = 3001;

export interface WorkerTaskProps {
  readonly config: PlatformConfig;
  readonly image: ecs.ContainerImage;
  readonly runtime: RuntimeResources;
  /** `async` takes jobs from the queue; `realtime` serves the api's calls on WORKER_PORT. */
  readonly mode: 'async' | 'realtime';
}

/** One inference worker task: one whole GPU, the tfjs-node-gpu backend, secrets from Secrets Manager. */
export class WorkerTask extends Construct {
  readonly taskDefinition: ecs.Ec2TaskDefinition;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: WorkerTaskProps) {
    super(scope, id);
    const { config, runtime, mode } = props;
    this.taskDefinition = new ecs.Ec2TaskDefinition(this, 'TaskDefinition', {
      // awsvpc: each task has its own ENI and security group, so database and cache rules name the task.
      networkMode: ecs.NetworkMode.AWS_VPC,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.container = this.taskDefinition.addContainer('worker', {
      image: props.image,
      // A g5.xlarge/g6.xlarge has 4 vCPU / 16 GiB: leave room for the ECS agent and the OS.
      cpu: 3584,
      memoryReservationMiB: 12288,
      gpuCount: 1,
      environment: {
        ...plainEnvironment(runtime),
        TFJS_BACKEND: 'tfjs-node-gpu',
        // realtime: serves the api's calls only; async: also takes jobs off the queue (apps/worker).
        WORKER_MODE: mode,
        WORKER_PORT: String(WORKER_PORT),
        // The scheduled audit export (libs/duties), on the worker's timer; a claim per tenant keeps
        // several workers from exporting one tenant twice.
        AUDIT_EXPORT_INTERVAL_MS: String(config.auditExportIntervalMinutes * 60_000),
      },
      secrets: ecsSecrets(runtime),
      portMappings: [{ containerPort: WORKER_PORT }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: mode, logGroup }),
    });
  }
}
