import { Match } from 'aws-cdk-lib/assertions';
import { synthPlatform, templateOf } from './platform.fixture';

const { platform, config } = synthPlatform();
const inference = templateOf(platform.inference);

describe('inference on GPU instances', () => {
  it('reserves one GPU in every worker task definition', () => {
    const defs = inference.findResources('AWS::ECS::TaskDefinition');
    const gpuDefs = Object.values(defs).filter((d) =>
      d.Properties.ContainerDefinitions.some(
        (c: { ResourceRequirements?: unknown[] }) =>
          JSON.stringify(c.ResourceRequirements ?? []) === JSON.stringify([{ Type: 'GPU', Value: '1' }]),
      ),
    );
    expect(gpuDefs).toHaveLength(2);
    for (const d of gpuDefs) expect(d.Properties.RequiresCompatibilities).toEqual(['EC2']);
  });

  it('runs on g5/g6 instances with the ECS GPU-optimized AMI', () => {
    inference.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: Match.stringLikeRegexp('^g[56]\\.'),
        ImageId: Match.objectLike({ Ref: Match.stringLikeRegexp('amazonlinux2023.*gpu') }),
      }),
    });
  });

  it('scales the GPU fleet through a managed capacity provider that can reach zero', () => {
    inference.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '0' });
    inference.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({
        ManagedScaling: Match.objectLike({ Status: 'ENABLED', TargetCapacity: 100 }),
        ManagedTerminationProtection: 'ENABLED',
      }),
    });
  });

  it('scales the async workers from zero on the queue depth', () => {
    inference.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 0,
      MaxCapacity: config.asyncWorkerMaxTasks,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    inference.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ChangeInCapacity' }),
    });
    const alarms = JSON.stringify(inference.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toContain('ApproximateNumberOfMessagesVisible');
    expect(alarms).toContain('ApproximateNumberOfMessagesNotVisible');
  });

  it('serves real-time inference behind an internal load balancer only', () => {
    inference.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    inference.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' }, 0);
  });

  it('injects secrets from Secrets Manager, never as plain environment', () => {
    const defs = Object.values(inference.findResources('AWS::ECS::TaskDefinition'));
    for (const d of defs) {
      const c = d.Properties.ContainerDefinitions[0];
      const names = (c.Secrets ?? []).map((s: { Name: string }) => s.Name);
      expect(names).toEqual(
        expect.arrayContaining(['DB_PASSWORD', 'STRIPE_SECRET_KEY', 'AUDIT_SIGNING_KEY', 'WORKER_SHARED_SECRET']),
      );
      const env = (c.Environment ?? []).map((e: { Name: string }) => e.Name);
      expect(env).not.toEqual(expect.arrayContaining(['DB_PASSWORD']));
      expect(env).toContain('TFJS_BACKEND');
    }
  });

  it('references the worker image by tag, so synthesis never builds Docker', () => {
    expect(JSON.stringify(inference.toJSON())).toContain(':test-sha');
  });
});
