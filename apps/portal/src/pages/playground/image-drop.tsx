import { useState, type DragEvent } from 'react';
import { base64Of } from '../models/artifact-check';

/** Drop or pick a PNG/JPEG; hands back its base64 (the `image` input of image models). */
export function ImageDrop({ onImage }: { onImage: (base64: string, preview: string) => void }) {
  const [over, setOver] = useState(false);
  const [problem, setProblem] = useState<string>();
  const take = async (file: File | undefined) => {
    if (!file) return;
    if (!/^image\/(png|jpeg)$/.test(file.type)) {
      setProblem(`${file.name} is not a PNG or JPEG image.`);
      return;
    }
    setProblem(undefined);
    onImage(await base64Of(file), window.URL.createObjectURL(file));
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void take(e.dataTransfer.files[0]);
  };
  return (
    <div
      className={`drop ${over ? 'over' : ''}`}
      onDragOver={(e) => (e.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <label htmlFor="image-file">Drop an image here, or choose one</label>
      <input
        id="image-file"
        type="file"
        accept="image/png,image/jpeg"
        onChange={(e) => void take(e.target.files?.[0])}
      />
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
