import { mediaGid, productGid, takeId, type EmulatorState, type MediaRecord, type ShopRecord } from "./state";
import { claimFilename } from "./media";
import type { DemoPhoto } from "./photos";

/** The demo catalogue: everyday products a small merchant sells, each with one to three phone photos. */
export interface DemoProduct {
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  descriptionHtml: string;
  /** Keys of PHOTO_SPECS, in gallery order. */
  photos: { key: string; alt: string }[];
}

export const DEMO_PRODUCTS: DemoProduct[] = [
  {
    title: "Speckled Stoneware Mug",
    handle: "speckled-stoneware-mug",
    productType: "Mugs",
    vendor: "Hearth & Kiln",
    tags: ["ceramic", "handmade", "kitchen", "gift"],
    descriptionHtml:
      "<p>A 12 oz mug thrown on the wheel and finished in a sage glaze with iron speckles. The raw clay foot shows where it was dipped.</p><ul><li>Dishwasher and microwave safe</li><li>Each piece varies slightly</li></ul>",
    photos: [
      { key: "mug-wood", alt: "Sage stoneware mug of coffee on a wooden table" },
      { key: "mug-counter", alt: "" },
    ],
  },
  {
    title: "Everyday Canvas Sneaker",
    handle: "everyday-canvas-sneaker",
    productType: "Shoes",
    vendor: "Northline",
    tags: ["footwear", "canvas", "unisex", "navy"],
    descriptionHtml: "<p>A low-top in heavy navy canvas on a vulcanised rubber sole with a red stripe. Cushioned insole, cotton laces.</p>",
    photos: [
      { key: "sneaker-floor", alt: "Navy canvas sneaker on a wooden floor" },
      { key: "sneaker-concrete", alt: "" },
    ],
  },
  {
    title: "Amber Dusk Eau de Parfum 50 ml",
    handle: "amber-dusk-eau-de-parfum",
    productType: "Fragrance",
    vendor: "Maison Lumen",
    tags: ["perfume", "amber", "vanilla", "unisex"],
    descriptionHtml: "<p>Warm amber, tonka bean and a trace of smoked vanilla. Hand-filled in a heavy glass flacon with a gold collar.</p>",
    photos: [
      { key: "perfume-linen", alt: "Amber perfume bottle on linen" },
      { key: "perfume-marble", alt: "" },
    ],
  },
  {
    title: "Field Automatic Watch",
    handle: "field-automatic-watch",
    productType: "Watches",
    vendor: "Arden & Co.",
    tags: ["watch", "leather", "automatic", "men"],
    descriptionHtml:
      "<p>A 40 mm steel field watch with a navy dial, luminous markers and an automatic movement, on a stitched brown leather strap.</p>",
    photos: [
      { key: "watch-linen", alt: "Steel watch with navy dial lying on linen" },
      { key: "watch-wood", alt: "" },
    ],
  },
  {
    title: "Snake Plant in Terracotta Pot",
    handle: "snake-plant-terracotta",
    productType: "Plants",
    vendor: "Greenhouse Goods",
    tags: ["houseplant", "low-light", "terracotta", "home"],
    descriptionHtml: "<p>Sansevieria, about 60 cm tall, potted in an unglazed terracotta pot. Thrives on neglect and low light.</p>",
    photos: [{ key: "plant-floor", alt: "Snake plant in a terracotta pot on the floor" }],
  },
  {
    title: "Leather Weekender Tote",
    handle: "leather-weekender-tote",
    productType: "Bags",
    vendor: "Saddle Row",
    tags: ["leather", "bag", "travel", "tan"],
    descriptionHtml:
      "<p>Vegetable-tanned leather tote with saddle-stitched edges, brass rivets and a zipped inner pocket. Fits a laptop and a change of clothes.</p>",
    photos: [
      { key: "bag-floor", alt: "Tan leather tote standing on a wooden floor" },
      { key: "bag-concrete", alt: "" },
    ],
  },
  {
    title: "Sunday Spaghetti Dinner Kit",
    handle: "sunday-spaghetti-kit",
    productType: "Meal Kits",
    vendor: "Nonna's Table",
    tags: ["food", "pasta", "dinner", "serves-2"],
    descriptionHtml:
      "<p>Bronze-cut spaghetti, slow-cooked San Marzano tomato sauce, aged parmesan and fresh basil. Dinner for two in 15 minutes.</p>",
    photos: [
      { key: "pasta-top", alt: "Plate of spaghetti with tomato sauce seen from above" },
      { key: "pasta-linen", alt: "" },
    ],
  },
  {
    title: "Studio Wireless Headphones",
    handle: "studio-wireless-headphones",
    productType: "Audio",
    vendor: "Sonora",
    tags: ["headphones", "wireless", "noise-cancelling", "black"],
    descriptionHtml:
      "<p>Over-ear headphones with active noise cancelling, 40 hours of battery and memory-foam cushions. Folds flat for travel.</p>",
    photos: [
      { key: "headphones-wood", alt: "Black over-ear headphones on a wooden table" },
      { key: "headphones-linen", alt: "" },
    ],
  },
  {
    title: "Cedar & Sage Soy Candle",
    handle: "cedar-sage-soy-candle",
    productType: "Candles",
    vendor: "Wick & Wool",
    tags: ["candle", "soy", "home", "gift"],
    descriptionHtml:
      "<p>An 8 oz soy wax candle in an amber glass jar, scented with cedarwood, sage and a little bergamot. About 45 hours of burn time.</p>",
    photos: [
      { key: "candle-wood", alt: "Lit soy candle in an amber jar on a wooden table" },
      { key: "candle-marble", alt: "" },
    ],
  },
];

/**
 * Fills a shop with the demo catalogue. With `productCount` above the catalogue's size the catalogue
 * repeats with numbered titles (for benchmarks); below it, only the first products are created.
 */
export function seedShop(
  state: EmulatorState,
  shop: ShopRecord,
  photos: Map<string, DemoPhoto>,
  opts: { productCount?: number } = {},
): void {
  const count = opts.productCount ?? DEMO_PRODUCTS.length;
  const createdAt = Date.now() - 30 * 86_400_000;
  for (let i = 0; i < count; i++) {
    const template = DEMO_PRODUCTS[i % DEMO_PRODUCTS.length];
    const round = Math.floor(i / DEMO_PRODUCTS.length);
    const suffix = round ? ` #${round + 1}` : "";
    const productNumber = takeId(state);
    const at = createdAt + i * 60_000;
    const mediaIds = template.photos.map((photo) => {
      const media = createDemoMedia(state, shop, photos, photo.key, photo.alt, at);
      shop.media.set(media.id, media);
      return media.id;
    });
    const product = {
      id: productGid(productNumber),
      numericId: productNumber,
      title: `${template.title}${suffix}`,
      handle: round ? `${template.handle}-${round + 1}` : template.handle,
      status: "ACTIVE" as const,
      productType: template.productType,
      vendor: template.vendor,
      tags: template.tags,
      descriptionHtml: template.descriptionHtml,
      createdAt: at,
      updatedAt: at,
      mediaIds,
    };
    shop.products.set(product.id, product);
  }
}

function createDemoMedia(
  state: EmulatorState,
  shop: ShopRecord,
  photos: Map<string, DemoPhoto>,
  key: string,
  alt: string,
  at: number,
): MediaRecord {
  const photo = photos.get(key);
  if (!photo) throw new Error(`No demo photo ${key}`);
  const numericId = takeId(state);
  return {
    id: mediaGid(numericId),
    numericId,
    filename: claimFilename(shop, `${key}.jpg`),
    alt,
    mimeType: photo.mimeType,
    bytes: { kind: "file", path: photo.path },
    fileSize: photo.fileSize,
    width: photo.width,
    height: photo.height,
    createdAt: at,
    updatedAt: at,
    processingAt: at,
    readyAt: at,
    originalSource: `https://photo-studio-demo.example/${key}.jpg`,
  };
}
