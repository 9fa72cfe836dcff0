import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfo } from '@app/common';
import { HttpHeader } from '@app/models';

export enum DatasetFormatEnum {
  CSV = 'CSV',
  JSONL = 'JSONL',
}
registerEnumType(DatasetFormatEnum, {
  name: 'DatasetFormat',
  description: 'CSV with a header row, or JSON Lines (one object per line)',
});

export enum ColumnType {
  NUMBER = 'NUMBER',
  STRING = 'STRING',
}
registerEnumType(ColumnType, { name: 'ColumnType' });

@ObjectType()
export class DatasetColumn {
  @Field() name!: string;
  @Field(() => ColumnType, { description: 'NUMBER when every present value is a finite number' }) type!: ColumnType;
  @Field(() => Int, { description: 'Rows with no value in this column' }) missing!: number;
}

@ObjectType({ description: 'Labelled data for training and evaluation, private to the tenant' })
export class Dataset {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => DatasetFormatEnum) format!: DatasetFormatEnum;
  @Field(() => Int) rows!: number;
  @Field(() => Float) sizeBytes!: number;
  @Field() createdAt!: Date;
  @Field(() => [DatasetColumn]) columns!: DatasetColumn[];
  @Field() sha256!: string;
}

@InputType()
export class CreateDatasetInput {
  @Field() name!: string;
  @Field(() => DatasetFormatEnum) format!: DatasetFormatEnum;
  @Field({ description: 'The file itself (UTF-8), within the request body limit' }) content!: string;
}

@ObjectType()
export class DatasetEdge {
  @Field(() => Dataset) node!: Dataset;
  @Field() cursor!: string;
}

@ObjectType()
export class DatasetConnection {
  @Field(() => [DatasetEdge]) edges!: DatasetEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@InputType()
export class CreateDatasetUploadInput {
  @Field() name!: string;
  @Field(() => DatasetFormatEnum) format!: DatasetFormatEnum;
  @Field(() => Float, { description: 'The exact size of the file in bytes (within the plan upload limit)' })
  sizeBytes!: number;
}

@ObjectType({
  description:
    'Where to PUT one dataset file (raw bytes) with the headers listed. Local mode: the api, with the same credentials as the API; answers 201 with the Dataset. S3 mode: a presigned URL of the bucket, no credentials; then completeDatasetUpload(token) makes the dataset (in local mode it returns the dataset the PUT made)',
})
export class DatasetUpload {
  @Field() uploadUrl!: string;
  @Field(() => [HttpHeader], { description: 'Headers the PUT must carry (signed, in S3 mode)' })
  headers!: HttpHeader[];
  @Field({ description: 'Pass it to completeDatasetUpload after the PUT' }) token!: string;
  @Field() expiresAt!: Date;
}
