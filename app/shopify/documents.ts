/**
 * Every Admin GraphQL document the app sends (API version 2026-10). documents.test.ts validates each one
 * against Shopify's published schema and rejects deprecated fields, arguments and enum values.
 */

const MEDIA_IMAGE_FIELDS = `
  __typename
  id
  alt
  status
  ... on MediaImage {
    image { url width height altText }
  }
`;

/** The product as prompts and photo choice need it. */
export const PRODUCT_FOR_GENERATION_QUERY = `#graphql
query ProductForGeneration($id: ID!) {
  product(id: $id) {
    id
    title
    status
    productType
    vendor
    tags
    description(truncateAt: 600)
    media(first: 20) {
      nodes {${MEDIA_IMAGE_FIELDS}}
    }
  }
}`;

/** A page of products for the picker, newest first, filtered with Shopify's search syntax. */
export const PRODUCTS_FOR_PICKER_QUERY = `#graphql
query ProductsForPicker($first: Int!, $query: String, $after: String) {
  products(first: $first, query: $query, after: $after, sortKey: UPDATED_AT, reverse: true) {
    nodes {
      id
      title
      status
      mediaCount { count }
      featuredMedia {
        id
        preview { image { url(transform: { maxWidth: 240, maxHeight: 240 }) altText } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Before publishing: does the product exist, and how much room is left (250 media at most)? */
export const PRODUCT_MEDIA_STATE_QUERY = `#graphql
query ProductMediaState($id: ID!) {
  product(id: $id) {
    id
    mediaCount { count }
  }
}`;

export const STAGED_UPLOADS_CREATE_MUTATION = `#graphql
mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets {
      url
      resourceUrl
      parameters { name value }
    }
    userErrors { field message }
  }
}`;

/**
 * Attaches new media; the last `$newCount` media of the answer are the ones just created, in input order,
 * as Shopify appends media to the end of the product's list.
 */
export const PRODUCT_ATTACH_MEDIA_MUTATION = `#graphql
mutation ProductAttachMedia($product: ProductUpdateInput!, $media: [CreateMediaInput!]!, $newCount: Int!) {
  productUpdate(product: $product, media: $media) {
    product {
      id
      mediaCount { count }
      media(last: $newCount) {
        nodes { id alt status }
      }
    }
    userErrors { field message }
  }
}`;

/** After a productUpdate whose answer was lost: did it attach the media (count), and which are they (the last N). */
export const PRODUCT_RECENT_MEDIA_QUERY = `#graphql
query ProductRecentMedia($id: ID!, $last: Int!) {
  product(id: $id) {
    id
    mediaCount { count }
    media(last: $last) {
      nodes { id alt status }
    }
  }
}`;

/** Processing status of media by id; a media deleted meanwhile comes back as null. */
export const MEDIA_STATUS_QUERY = `#graphql
query MediaStatus($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on MediaImage {
      id
      status
      mediaErrors { code message details }
      image { url width height }
    }
  }
}`;

export const PRODUCT_REORDER_MEDIA_MUTATION = `#graphql
mutation ProductReorderMedia($id: ID!, $moves: [MoveInput!]!) {
  productReorderMedia(id: $id, moves: $moves) {
    job { id done }
    mediaUserErrors { code field message }
  }
}`;

export const JOB_STATUS_QUERY = `#graphql
query JobStatus($id: ID!) {
  job(id: $id) { id done }
}`;

/**
 * The product's media ids, to tell which of the app's media are still attached to it (on a retried publish
 * and on restore). Requested cost about 253 points, so it is asked only when needed.
 */
export const PRODUCT_MEDIA_IDS_QUERY = `#graphql
query ProductMediaIds($id: ID!) {
  product(id: $id) {
    id
    media(first: 250) {
      nodes { id status }
    }
  }
}`;

/**
 * Detaches media from a product (productDeleteMedia is deprecated: "Use fileUpdate instead"). The file
 * stays in the store's Files, so a media the merchant also used elsewhere is not taken from there.
 * Also sets alt text: `files: [{ id, alt }]`.
 */
export const FILE_UPDATE_MUTATION = `#graphql
mutation FileUpdate($files: [FileUpdateInput!]!) {
  fileUpdate(files: $files) {
    files { id alt fileStatus }
    userErrors { code field message }
  }
}`;

/** Deletes files outright: used only for the app's own media that failed processing. */
export const FILE_DELETE_MUTATION = `#graphql
mutation FileDelete($fileIds: [ID!]!) {
  fileDelete(fileIds: $fileIds) {
    deletedFileIds
    userErrors { code field message }
  }
}`;

// Billing (billing.server.ts). Money is MoneyInput/MoneyV2 in USD; the app passes and reads whole cents.

const SUBSCRIPTION_FIELDS = `
  id
  name
  status
  test
  trialDays
  createdAt
  currentPeriodEnd
  lineItems {
    id
    plan {
      pricingDetails {
        __typename
        ... on AppRecurringPricing { price { amount currencyCode } interval }
        ... on AppUsagePricing { cappedAmount { amount currencyCode } balanceUsed { amount currencyCode } terms }
      }
    }
  }
`;

/** Development and staff stores can approve test charges only. */
export const SHOP_BILLING_PLAN_QUERY = `#graphql
query ShopBillingPlan {
  shop {
    plan { partnerDevelopment publicDisplayName }
  }
}`;

/**
 * A plan's subscription: the recurring fee and the usage line item with its capped amount. The active
 * plan gives way as soon as the merchant approves the new one (never two active subscriptions).
 */
export const APP_SUBSCRIPTION_CREATE_MUTATION = `#graphql
mutation AppSubscriptionCreate($name: String!, $returnUrl: URL!, $test: Boolean!, $lineItems: [AppSubscriptionLineItemInput!]!) {
  appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, lineItems: $lineItems, replacementBehavior: APPLY_IMMEDIATELY) {
    appSubscription {${SUBSCRIPTION_FIELDS}}
    confirmationUrl
    userErrors { field message }
  }
}`;

export const ACTIVE_SUBSCRIPTIONS_QUERY = `#graphql
query ActiveSubscriptions {
  currentAppInstallation {
    activeSubscriptions {${SUBSCRIPTION_FIELDS}}
  }
}`;

/** One subscription by id, e.g. the `charge_id` Shopify appends to the return URL after approval. */
export const APP_SUBSCRIPTION_QUERY = `#graphql
query AppSubscription($id: ID!) {
  node(id: $id) {
    ... on AppSubscription {${SUBSCRIPTION_FIELDS}}
  }
}`;

export const APP_USAGE_RECORD_CREATE_MUTATION = `#graphql
mutation AppUsageRecordCreate($lineItemId: ID!, $price: MoneyInput!, $description: String!, $idempotencyKey: String!) {
  appUsageRecordCreate(subscriptionLineItemId: $lineItemId, price: $price, description: $description, idempotencyKey: $idempotencyKey) {
    appUsageRecord { id idempotencyKey createdAt price { amount currencyCode } }
    userErrors { field message }
  }
}`;

/**
 * A subscription's usage records, newest first, a page at a time: how a charge whose answer was lost is
 * found again by its idempotency key. Requested cost about 104 points (the emulator's count).
 */
export const APP_USAGE_RECORDS_QUERY = `#graphql
query AppUsageRecords($id: ID!, $after: String) {
  node(id: $id) {
    ... on AppSubscription {
      lineItems {
        id
        usageRecords(first: 50, reverse: true, after: $after) {
          nodes { id idempotencyKey createdAt price { amount currencyCode } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
}`;

/** Raising the capped amount takes effect once the merchant approves it on the confirmation page. */
export const APP_SUBSCRIPTION_LINE_ITEM_UPDATE_MUTATION = `#graphql
mutation AppSubscriptionLineItemUpdate($id: ID!, $cappedAmount: MoneyInput!) {
  appSubscriptionLineItemUpdate(id: $id, cappedAmount: $cappedAmount) {
    confirmationUrl
    userErrors { field message }
  }
}`;

export const APP_SUBSCRIPTION_CANCEL_MUTATION = `#graphql
mutation AppSubscriptionCancel($id: ID!, $prorate: Boolean!) {
  appSubscriptionCancel(id: $id, prorate: $prorate) {
    appSubscription { id status }
    userErrors { field message }
  }
}`;
