import sharp from "sharp";
import { ensureDemoPhotos } from "./photos";

/** Renders every demo photo, upright as a viewer shows it, into one PNG for a quick look. */
export async function renderContactSheet(output: string, thumb = 400): Promise<void> {
  const photos = [...(await ensureDemoPhotos()).values()];
  const columns = 5;
  const rows = Math.ceil(photos.length / columns);
  const tiles = await Promise.all(
    photos.map(async (photo, index) => ({
      input: await sharp(photo.path).rotate().resize(thumb, thumb, { fit: "contain", background: "#222" }).toBuffer(),
      left: (index % columns) * (thumb + 8),
      top: Math.floor(index / columns) * (thumb + 8),
    })),
  );
  await sharp({ create: { width: columns * (thumb + 8), height: rows * (thumb + 8), channels: 3, background: "#222" } })
    .composite(tiles)
    .png()
    .toFile(output);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const output = process.argv[2] ?? "/tmp/emulator-contact-sheet.png";
  await renderContactSheet(output);
  console.log(output);
}
