import { Field, ID, InputType, registerEnumType } from '@nestjs/graphql';

export enum QuantizationEnum {
  FLOAT16 = 'FLOAT16',
  UINT8 = 'UINT8',
  UINT16 = 'UINT16',
}
registerEnumType(QuantizationEnum, {
  name: 'Quantization',
  description: 'Weight quantisation in the TF.js weight-manifest format (tfjs-converter --quantize_*)',
});

@InputType()
export class OptimizeModelVersionInput {
  @Field() model!: string;
  @Field(() => String, { nullable: true, description: 'A number or an alias; default the `stable` alias' }) version?:
    string | null;
  @Field(() => QuantizationEnum) quantization!: QuantizationEnum;
  @Field(() => ID, {
    nullable: true,
    description: 'With target: both versions are evaluated on it and the metric change is kept',
  })
  dataset?: string | null;
  @Field(() => String, { nullable: true }) target?: string | null;
}
