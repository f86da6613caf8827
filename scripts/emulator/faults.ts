import { createHash } from "node:crypto";
import type { MediaRecord, ShopRecord } from "./state";

/**
 * Fault hooks for the chaos harness (scripts/chaos), called as functions on a running emulator: a
 * mutation whose answer is held or lost after the mutation ran, a merchant's edit made while it runs,
 * new media that stay PROCESSING. Every productUpdate's new media are recorded with a digest of their
 * bytes, so a harness can tell which image was attached how often, whatever the app recorded.
 */
export interface AttachedMedia {
  shop: string;
  productId: string;
  mediaId: string;
  filename: string;
  sha256: string;
  at: number;
}

export interface MutationFault {
  shop: string;
  /** The mutation's root field, e.g. "productUpdate". */
  rootField: string;
  /** Runs after the mutation ran, before its answer is rendered: a merchant's edit at that moment. */
  afterRun?: (shop: ShopRecord) => void | Promise<void>;
  /** "hold": the answer waits for release(); "drop": the connection closes without an answer. Default "send". */
  answer?: "send" | "hold" | "drop";
}

export interface FaultHandle {
  /** Resolves once the mutation has run (and `afterRun` with it). */
  ran: Promise<void>;
  /** Sends a held answer; into a closed connection if its client is gone. */
  release(): void;
}

interface PendingFault extends MutationFault {
  markRan(): void;
  released: Promise<void>;
}

/** One GraphQL request as the hooks see it: the fault its mutation took, if any. */
export interface FaultedRequest {
  fault?: PendingFault;
}

/** What the HTTP layer does with a request's answer once the mutation ran. */
export type AnswerOutcome = "send" | "drop";

interface ProcessingHold {
  media: MediaRecord[];
}

type Resolver = (args: Record<string, unknown>) => unknown;

export class Faults {
  /** Media each productUpdate added, in order. */
  readonly attached: AttachedMedia[] = [];
  private readonly pending: PendingFault[] = [];
  private readonly processingHolds = new Map<string, ProcessingHold>();

  /** Arms a fault for the shop's next call of `rootField`. */
  onNextMutation(fault: MutationFault): FaultHandle {
    let markRan!: () => void;
    let release!: () => void;
    const ran = new Promise<void>((resolve) => (markRan = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.pending.push({ ...fault, markRan, released });
    return { ran, release };
  }

  /** From now on the shop's new media stay PROCESSING, until release() makes them READY. */
  holdProcessing(shop: string): { release(): void } {
    const hold: ProcessingHold = { media: [] };
    this.processingHolds.set(shop, hold);
    return {
      release: () => {
        if (this.processingHolds.get(shop) === hold) this.processingHolds.delete(shop);
        const now = Date.now();
        for (const media of hold.media) media.readyAt = Math.max(media.processingAt, now);
      },
    };
  }

  /**
   * Wraps one request's mutation root: records attachments, applies processing holds and runs the armed
   * fault's `afterRun`. The answer fault it took is kept on `request` for the HTTP layer.
   */
  wrapMutations<Root extends Record<string, Resolver>>(shop: ShopRecord, root: Root, request: FaultedRequest): Root {
    const wrapped: Record<string, Resolver> = {};
    for (const [field, resolve] of Object.entries(root)) {
      wrapped[field] = async (args) => {
        const index = this.pending.findIndex((f) => f.shop === shop.domain && f.rootField === field);
        const fault = index >= 0 ? this.pending.splice(index, 1)[0] : undefined;
        const productId = field === "productUpdate" ? readProductId(args) : undefined;
        const before = new Set(productId ? (shop.products.get(productId)?.mediaIds ?? []) : []);
        const result = await resolve(args);
        if (productId) this.recordAttached(shop, productId, before);
        if (fault) {
          request.fault = fault;
          await fault.afterRun?.(shop);
          fault.markRan();
        }
        return result;
      };
    }
    return wrapped as Root;
  }

  /** Waits for a held answer's release; says whether to send the answer or drop the connection. */
  async settleAnswer(request: FaultedRequest): Promise<AnswerOutcome> {
    const fault = request.fault;
    if (!fault || !fault.answer || fault.answer === "send") return "send";
    if (fault.answer === "drop") return "drop";
    await fault.released;
    return "send";
  }

  private recordAttached(shop: ShopRecord, productId: string, before: Set<string>) {
    const hold = this.processingHolds.get(shop.domain);
    for (const mediaId of shop.products.get(productId)?.mediaIds ?? []) {
      if (before.has(mediaId)) continue;
      const media = shop.media.get(mediaId);
      // Media a productUpdate creates always hold their bytes in memory (media.ts).
      if (media?.bytes.kind !== "buffer") continue;
      const bytes = media.bytes.buffer;
      this.attached.push({
        shop: shop.domain,
        productId,
        mediaId,
        filename: media.filename,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        at: Date.now(),
      });
      if (hold) {
        media.readyAt = Number.POSITIVE_INFINITY;
        hold.media.push(media);
      }
    }
  }
}

function readProductId(args: Record<string, unknown>): string | undefined {
  const product = (args.product ?? {}) as Record<string, unknown>;
  const identifier = (args.identifier ?? {}) as Record<string, unknown>;
  const id = product.id ?? identifier.id;
  return typeof id === "string" ? id : undefined;
}
