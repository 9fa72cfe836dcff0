import { isSafeArtifactPath } from './artifact-store';
import { parseS3Uri, s3ArtifactKey } from './s3-artifact-store';

describe('S3 artifact store key layout (put/localDir/remove: s3-artifact-store.s3rver.spec.ts)', () => {
  it('puts each version under <prefix><namespace>/<versionId>/', () => {
    expect(s3ArtifactKey('models/', 'ten_1', 'mv_2', 'model.json')).toBe('models/ten_1/mv_2/model.json');
    expect(s3ArtifactKey('models', 'ten_1', 'mv_2')).toBe('models/ten_1/mv_2/');
    expect(s3ArtifactKey('', 'ten_1', 'mv_2', 'a/b.bin')).toBe('ten_1/mv_2/a/b.bin');
  });

  it('parses the stored URI back to bucket and prefix', () => {
    expect(parseS3Uri('s3://bucket/models/ten_1/mv_2/')).toEqual({ bucket: 'bucket', prefix: 'models/ten_1/mv_2/' });
    expect(() => parseS3Uri('file:///tmp/x')).toThrow();
  });

  it('refuses paths that would escape the version folder', () => {
    for (const p of ['../x', '/etc/passwd', 'a/../../b', 'a\\b', '', 'a//b', 'sp ace'])
      expect(isSafeArtifactPath(p)).toBe(false);
    for (const p of ['model.json', 'group1-shard1of2.bin', 'weights/part.bin'])
      expect(isSafeArtifactPath(p)).toBe(true);
  });
});
