import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

/**
 * Image repositories, deployed first and on their own: CI pushes `api` and `worker` images
 * tagged with the commit, then the other stacks are deployed with `-c maas:imageTag=<tag>`.
 * Keeping images out of `cdk synth` lets synthesis and tests run without Docker.
 */
export class RegistryStack extends Stack {
  readonly apiRepository: ecr.Repository;
  readonly workerRepository: ecr.Repository;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const repository = (name: string) =>
      new ecr.Repository(this, `${name}Repository`, {
        repositoryName: `maas/${name.toLowerCase()}`,
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.MUTABLE,
        encryption: ecr.RepositoryEncryption.KMS,
        lifecycleRules: [{ description: 'keep the last 30 images', maxImageCount: 30 }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.apiRepository = repository('Api');
    this.workerRepository = repository('Worker');
  }
}
