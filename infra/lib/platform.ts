import { App, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformConfig } from './config';
import { ApiStack } from './api-stack';
import { bucketName, DataStack } from './data-stack';
import { EdgeStack } from './edge-stack';
import { InferenceStack } from './inference-stack';
import { applySuppressions } from './nag-suppressions';
import { NetworkStack } from './network-stack';
import { ObservabilityStack } from './observability-stack';
import { QueueStack } from './queue-stack';
import { RegistryStack } from './registry-stack';
import { RuntimeResources } from './runtime-env';

export interface Platform {
  readonly registry: RegistryStack;
  readonly edge: EdgeStack;
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly queue: QueueStack;
  readonly inference: InferenceStack;
  readonly api: ApiStack;
  readonly observability: ObservabilityStack;
  readonly stacks: Stack[];
}

/** The whole deployment, one stack per concern; used by bin/app.ts and by the tests. */
export function buildPlatform(app: App, config: PlatformConfig): Platform {
  // `npm run infra:synth` runs from the repository root, where no cdk.json carries feature
  // flags: apply the recommended ones here (explicit context still wins).
  for (const [flag, value] of Object.entries(cxapi.CURRENTLY_RECOMMENDED_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  // cdk-nag runs as a policy-validation plugin: `cdk synth` fails on any unacknowledged finding.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const env = { account: config.account, region: config.region };
  const name = (concern: string) => `${config.prefix}-${concern}`;

  const registry = new RegistryStack(app, name('Registry'), { env });
  const edge = new EdgeStack(app, name('Edge'), { env: { account: config.account, region: 'us-east-1' }, config });
  const network = new NetworkStack(app, name('Network'), { env, config });
  const data = new DataStack(app, name('Data'), { env, config, vpc: network.vpc });
  const queue = new QueueStack(app, name('Queue'), { env, config });

  const runtime: RuntimeResources = {
    queue: queue.queue,
    // By name, not by reference: see bucketName() in data-stack.ts.
    artifactBucketName: bucketName(config, 'artifacts'),
    auditBucketName: bucketName(config, 'audit'),
    dataKey: data.key,
    cacheEndpoint: data.cache.attrEndpointAddress,
    databaseSecret: data.databaseSecret,
    stripeSecret: data.stripeSecret,
    signingKeySecret: data.signingKeySecret,
    workerSharedSecret: data.workerSharedSecret,
    uploadSigningSecret: data.uploadSigningSecret,
    deviceCookieSecret: data.deviceCookieSecret,
  };

  const inference = new InferenceStack(app, name('Inference'), {
    env,
    config,
    vpc: network.vpc,
    runtime,
    workerRepository: registry.workerRepository,
    queue: queue.queue,
    database: data.database,
    cacheSecurityGroup: data.cacheSecurityGroup,
  });
  const api = new ApiStack(app, name('Api'), {
    env,
    config,
    vpc: network.vpc,
    runtime,
    // The WAF web ACL lives in us-east-1; CDK carries its ARN across regions through SSM.
    crossRegionReferences: config.region !== 'us-east-1',
    apiRepository: registry.apiRepository,
    database: data.database,
    cacheSecurityGroup: data.cacheSecurityGroup,
    cluster: inference.cluster,
    workerLoadBalancer: inference.loadBalancer,
    workerUrl: inference.workerUrl,
    webAclArn: edge.webAcl.attrArn,
  });
  const observability = new ObservabilityStack(app, name('Observability'), {
    env,
    config,
    httpApi: api.httpApi,
    queue: queue.queue,
    deadLetterQueue: queue.deadLetterQueue,
    database: data.database,
    gpuAutoScalingGroup: inference.gpu.autoScalingGroup,
  });

  const stacks = [registry, edge, network, data, queue, inference, api, observability];
  for (const stack of stacks) {
    Tags.of(stack).add('project', 'model-as-a-service');
    applySuppressions(stack);
  }
  return { registry, edge, network, data, queue, inference, api, observability, stacks };
}
