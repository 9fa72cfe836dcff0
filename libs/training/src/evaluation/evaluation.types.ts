import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { TrainingJobError, TrainingStatus } from '../training/training.types';

@InputType()
export class EvaluateModelVersionInput {
  @Field() model!: string;
  @Field(() => String, { nullable: true, description: 'A number or an alias; default the `stable` alias' }) version?:
    string | null;
  @Field(() => ID, { description: "Held-out rows: the version's input columns and the target" }) dataset!: string;
  @Field() target!: string;
}

@ObjectType()
export class ClassEvaluation {
  @Field() label!: string;
  @Field(() => Float) precision!: number;
  @Field(() => Float) recall!: number;
  @Field(() => Float) f1!: number;
  @Field(() => Int) support!: number;
}

@ObjectType({
  description: 'A version run over a dataset: classification or regression metrics, kept with the version',
})
export class Evaluation {
  @Field(() => ID) id!: string;
  @Field(() => TrainingStatus) status!: TrainingStatus;
  @Field() model!: string;
  @Field(() => Int) version!: number;
  @Field(() => ID) dataset!: string;
  @Field() target!: string;
  @Field(() => Int) rows!: number;
  @Field(() => Float, { nullable: true }) accuracy!: number | null;
  @Field(() => Float, { nullable: true }) macroF1!: number | null;
  @Field(() => [ClassEvaluation], { nullable: true }) perClass!: ClassEvaluation[] | null;
  @Field(() => [String], { nullable: true }) labels!: string[] | null;
  @Field(() => [[Int]], { nullable: true, description: 'confusionMatrix[actual][predicted], in the order of labels' })
  confusionMatrix!: number[][] | null;
  @Field(() => Float, { nullable: true }) mae!: number | null;
  @Field(() => Float, { nullable: true }) rmse!: number | null;
  @Field(() => Float, { nullable: true }) r2!: number | null;
  @Field(() => TrainingJobError, { nullable: true }) error!: TrainingJobError | null;
  @Field() createdAt!: Date;
}
