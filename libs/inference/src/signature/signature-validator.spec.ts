import { InferenceError, InferenceErrorCode } from '../inference.error';
import { TensorSignature } from './model-signature';
import { validateInputs } from './signature-validator';

const features: TensorSignature[] = [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }];
const limits = { maxInstances: 8, maxElements: 100 };

function reason(fn: () => unknown): { code: InferenceErrorCode; contract: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InferenceError);
    return { code: (e as InferenceError).inferenceCode, contract: (e as InferenceError).contractCode };
  }
  throw new Error('expected an InferenceError');
}

describe('validateInputs', () => {
  it('flattens nested instances into typed arrays', () => {
    const v = validateInputs(
      features,
      {
        features: [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
      },
      limits,
    );
    expect(v.instances).toBe(2);
    expect(v.tensors.features.instanceShape).toEqual([4]);
    expect(Array.from(v.tensors.features.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(v.tensors.features.data).toBeInstanceOf(Float32Array);
  });

  it('accepts Open Inference Protocol flat data with a shape', () => {
    const v = validateInputs(features, { features: { shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] } }, limits);
    expect(v.instances).toBe(2);
  });

  it.each([
    ['wrong instance shape', { features: [[1, 2, 3]] }],
    [
      'ragged rows',
      {
        features: [
          [1, 2, 3, 4],
          [1, 2, 3],
        ],
      },
    ],
    ['wrong rank', { features: [1, 2, 3, 4] }],
    ['NaN', { features: [[1, 2, NaN, 4]] }],
    ['Infinity', { features: [[1, 2, Infinity, 4]] }],
    ['a string', { features: [[1, 2, '3', 4]] }],
    ['a missing input', {}],
    ['an unknown input', { features: [[1, 2, 3, 4]], extra: [[1]] }],
    ['no instances', { features: [] }],
    ['flat data of the wrong length', { features: { shape: [1, 4], data: [1, 2, 3] } }],
  ])('rejects %s as BAD_USER_INPUT', (_, inputs) => {
    expect(reason(() => validateInputs(features, inputs as never, limits))).toEqual({
      code: InferenceErrorCode.INVALID_INPUT,
      contract: 'BAD_USER_INPUT',
    });
  });

  it('checks integer datatypes and their ranges', () => {
    const ints: TensorSignature[] = [{ name: 'ids', datatype: 'UINT8', shape: [-1, 2] }];
    expect(validateInputs(ints, { ids: [[0, 255]] }, limits).tensors.ids.data).toBeInstanceOf(Int32Array);
    expect(reason(() => validateInputs(ints, { ids: [[0, 256]] }, limits)).code).toBe(InferenceErrorCode.INVALID_INPUT);
    expect(reason(() => validateInputs(ints, { ids: [[0, 1.5]] }, limits)).code).toBe(InferenceErrorCode.INVALID_INPUT);
  });

  it('enforces max instances and max elements', () => {
    const nine = Array.from({ length: 9 }, () => [1, 2, 3, 4]);
    expect(reason(() => validateInputs(features, { features: nine }, limits)).code).toBe(
      InferenceErrorCode.TOO_MANY_INSTANCES,
    );
    const wide: TensorSignature[] = [{ name: 'x', datatype: 'FP32', shape: [-1, 60] }];
    const two = [new Array(60).fill(0), new Array(60).fill(0)];
    expect(reason(() => validateInputs(wide, { x: two }, limits))).toEqual({
      code: InferenceErrorCode.TOO_MANY_ELEMENTS,
      contract: 'BAD_USER_INPUT',
    });
  });

  it('requires every input to have the same number of instances', () => {
    const two: TensorSignature[] = [...features, { name: 'mask', datatype: 'BOOL', shape: [-1] }];
    expect(validateInputs(two, { features: [[1, 2, 3, 4]], mask: [true] }, limits).tensors.mask.data).toEqual(
      new Uint8Array([1]),
    );
    expect(reason(() => validateInputs(two, { features: [[1, 2, 3, 4]], mask: [true, false] }, limits)).code).toBe(
      InferenceErrorCode.INVALID_INPUT,
    );
  });
});
