import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { PageInfo } from '@app/common';

@ObjectType({ description: 'One declared input or output: shape[0] = -1 is the instance (batch) dimension' })
export class TensorSpec {
  @Field() name!: string;
  @Field({ description: 'Open Inference Protocol datatype: FP32, INT32, BYTES, ...' }) datatype!: string;
  @Field(() => [Int]) shape!: number[];
  @Field(() => [String], { nullable: true, description: 'Class names along the last dimension' }) labels?:
    string[] | null;
}

@ObjectType()
export class ModelVersion {
  @Field(() => Int) version!: number;
  @Field({ description: 'VALIDATING, READY or FAILED' }) status!: string;
  @Field({ description: 'layers or graph (TF.js)' }) format!: string;
  @Field() createdAt!: Date;
  @Field(() => GraphQLJSON, { nullable: true }) metrics!: unknown;
  @Field(() => [TensorSpec]) inputs!: TensorSpec[];
  @Field(() => [TensorSpec]) outputs!: TensorSpec[];
  @Field({ description: 'request, instance or image' }) pricingUnit!: string;
  @Field(() => Int) unitsPer!: number;
  @Field(() => Float) sizeBytes!: number;
  @Field(() => String, { nullable: true }) sha256!: string | null;
  @Field(() => [String], { nullable: true, description: 'Class names in the order of the first output (classifiers)' })
  labels!: string[] | null;
  @Field(() => [String], {
    nullable: true,
    description: 'A version trained here: the raw columns it takes, one input each',
  })
  featureColumns!: string[] | null;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      'A version trained here: the column encoding the runtime applies before its model ({ columns: [{ name, kind: number (mean, std) | category (categories) | text (vocabulary) }] }); a downloaded copy needs it to be fed the same',
  })
  preprocessing!: unknown;
  @Field(() => Int, { nullable: true, description: 'The version this one was derived from (a quantised copy)' })
  parentVersion!: number | null;
  @Field(() => String, { nullable: true, description: 'float16, uint8 or uint16 when the weights are quantised' })
  quantization!: string | null;
  /** Not in the schema: the row id, for field resolvers of other libraries (evaluations, trainingJob). */
  versionId!: string;
  trainingJobId!: string | null;
}

@ObjectType()
export class ModelAlias {
  @Field() name!: string;
  @Field(() => Int) version!: number;
  @Field(() => Int, { nullable: true }) canaryVersion!: number | null;
  @Field(() => Float, { description: 'Share of traffic (0..1) sent to canaryVersion' }) canaryWeight!: number;
}

@ObjectType()
export class Model {
  @Field() name!: string;
  @Field() description!: string;
  @Field() task!: string;
  @Field({ description: 'true for the built-in catalog, false for the tenant own models' }) public!: boolean;
  @Field({ description: 'Whether modelVersionDownload hands out its versions' }) downloadsEnabled!: boolean;
  @Field() createdAt!: Date;
  @Field(() => [ModelVersion]) versions!: ModelVersion[];
  @Field(() => [ModelAlias]) aliases!: ModelAlias[];
  @Field(() => [TensorSpec], {
    description: 'Signature of the version the `stable` alias (or the newest ready version) serves',
  })
  inputs!: TensorSpec[];
  @Field(() => [TensorSpec]) outputs!: TensorSpec[];
}

@ObjectType()
export class ModelEdge {
  @Field(() => Model) node!: Model;
  @Field() cursor!: string;
}

@ObjectType()
export class ModelConnection {
  @Field(() => [ModelEdge]) edges!: ModelEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}
