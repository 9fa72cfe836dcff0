import { Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PlatformConfig } from './config';
import { acknowledge } from './nag';
import { SUBNET } from './network-stack';

export const GPU_METRIC_NAMESPACE = 'MaaS/GPU';

export interface GpuCapacityProps {
  readonly config: PlatformConfig;
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.Cluster;
}

/**
 * GPU container instances (ECS GPU-optimized AMI) behind a capacity provider whose managed
 * scaling follows the tasks: no task, no instance. The CloudWatch agent publishes
 * nvidia-smi utilisation per Auto Scaling group for the GPU alarm.
 */
export class GpuCapacity extends Construct {
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly capacityProvider: ecs.AsgCapacityProvider;

  constructor(scope: Construct, id: string, props: GpuCapacityProps) {
    super(scope, id);
    const { config, vpc, cluster } = props;

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new ec2.InstanceType(config.gpuInstanceType),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.GPU),
      userData: ec2.UserData.forLinux(),
      role: new iam.Role(this, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
      securityGroup: new ec2.SecurityGroup(this, 'InstanceSg', {
        vpc,
        description: 'GPU container instances; tasks use their own ENIs (awsvpc)',
      }),
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(100, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Asg', {
      vpc,
      vpcSubnets: { subnetGroupName: SUBNET.tasks },
      launchTemplate,
      minCapacity: 0,
      maxCapacity: config.maxGpuInstances,
      // Managed termination protection needs this; ECS decides which instance is idle.
      newInstancesProtectedFromScaleIn: true,
      defaultInstanceWarmup: Duration.minutes(3),
    });

    launchTemplate.userData!.addCommands(...cloudWatchAgentCommands());
    launchTemplate.role!.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': GPU_METRIC_NAMESPACE } },
      }),
    );

    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'Provider', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: true,
      targetCapacityPercent: 100,
      minimumScalingStepSize: 1,
      maximumScalingStepSize: config.maxGpuInstances,
    });
    cluster.addAsgCapacityProvider(this.capacityProvider);
    acknowledge(
      launchTemplate.role!,
      "ECS container-instance actions (ecs:Submit*, ecr:GetAuthorizationToken, cloudwatch:PutMetricData limited by namespace) have no narrower resource form; policy written by aws-cdk-lib's ECS integration",
      'AwsSolutions-IAM5[Action::ecs:Submit*]',
      'AwsSolutions-IAM5[Resource::*]',
    );
    acknowledge(
      this.autoScalingGroup,
      'Scaling is driven by the ECS capacity provider; its events are visible in ECS and CloudWatch, no separate SNS notification is needed',
      'AwsSolutions-AS3',
    );
  }
}

/** nvidia-smi utilisation, aggregated per Auto Scaling group so one alarm covers the fleet. */
function cloudWatchAgentCommands(): string[] {
  const agentConfig = {
    agent: { metrics_collection_interval: 60 },
    metrics: {
      namespace: GPU_METRIC_NAMESPACE,
      append_dimensions: { AutoScalingGroupName: '${aws:AutoScalingGroupName}' },
      aggregation_dimensions: [['AutoScalingGroupName']],
      metrics_collected: {
        nvidia_gpu: { measurement: ['utilization_gpu', 'utilization_memory', 'memory_used'] },
      },
    },
  };
  return [
    'dnf install -y amazon-cloudwatch-agent',
    `cat > /opt/aws/amazon-cloudwatch-agent/etc/maas-gpu.json <<'JSON'\n${JSON.stringify(agentConfig)}\nJSON`,
    '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/maas-gpu.json',
  ];
}
