import type { AdminDocument } from "./admin-api.server";
import type {
  ProductForGenerationQuery,
  ProductForGenerationQueryVariables,
  ProductsForPickerQuery,
  ProductsForPickerQueryVariables,
  ProductMediaStateQuery,
  ProductMediaStateQueryVariables,
  StagedUploadsCreateMutation,
  StagedUploadsCreateMutationVariables,
  ProductAttachMediaMutation,
  ProductAttachMediaMutationVariables,
  ProductMarkedMediaQuery,
  ProductMarkedMediaQueryVariables,
  MediaStatusQuery,
  MediaStatusQueryVariables,
  ProductReorderMediaMutation,
  ProductReorderMediaMutationVariables,
  JobStatusQuery,
  JobStatusQueryVariables,
  FileUpdateMutation,
  FileUpdateMutationVariables,
  FileDeleteMutation,
  FileDeleteMutationVariables,
  ShopBillingPlanQuery,
  ShopBillingPlanQueryVariables,
  AppSubscriptionCreateMutation,
  AppSubscriptionCreateMutationVariables,
  ActiveSubscriptionsQuery,
  ActiveSubscriptionsQueryVariables,
  AppSubscriptionQuery,
  AppSubscriptionQueryVariables,
  AppUsageRecordCreateMutation,
  AppUsageRecordCreateMutationVariables,
  AppUsageRecordsQuery,
  AppUsageRecordsQueryVariables,
  AppSubscriptionLineItemUpdateMutation,
  AppSubscriptionLineItemUpdateMutationVariables,
  AppSubscriptionCancelMutation,
  AppSubscriptionCancelMutationVariables,
  BulkOperationRunQueryMutation,
  BulkOperationRunQueryMutationVariables,
  BulkOperationStatusQuery,
  BulkOperationStatusQueryVariables,
  UnfinishedBulkOperationsQuery,
  UnfinishedBulkOperationsQueryVariables,
  BulkOperationCancelMutation,
  BulkOperationCancelMutationVariables,
  CatalogProductsByIdsQuery,
  CollectionsForPickerQuery,
  CollectionsForPickerQueryVariables,
  CatalogProductsByIdsQueryVariables,
} from "../types/admin.generated";

/**
 * Every Admin GraphQL document the app sends (API version 2026-10). documents.test.ts validates each one
 * against Shopify's published schema and rejects deprecated fields, arguments and enum values.
 */

// A fragment rather than a bare interpolated string, so that the GraphQL codegen can read the documents that use it.
const MEDIA_IMAGE_FIELDS = `#graphql
fragment MediaImageFields on Media {
  __typename
  id
  alt
  status
  ... on MediaImage {
    image { url width height altText }
  }
}`;

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
      nodes { ...MediaImageFields }
    }
  }
}
${MEDIA_IMAGE_FIELDS}` as AdminDocument<ProductForGenerationQuery, ProductForGenerationQueryVariables>;

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
}` as AdminDocument<ProductsForPickerQuery, ProductsForPickerQueryVariables>;

/** Before a first publish: does the product exist, and how much room is left (250 media at most)? */
export const PRODUCT_MEDIA_STATE_QUERY = `#graphql
query ProductMediaState($id: ID!) {
  product(id: $id) {
    id
    mediaCount { count }
  }
}` as AdminDocument<ProductMediaStateQuery, ProductMediaStateQueryVariables>;

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
}` as AdminDocument<StagedUploadsCreateMutation, StagedUploadsCreateMutationVariables>;

/**
 * What tells the app's media from the merchant's: the file name, which ends with the app's marker. It is in
 * `originalSource.url` and, from READY on (`image` is null before), in `image.url`.
 */
const MARKED_MEDIA_FIELDS = `#graphql
fragment MarkedMediaFields on Media {
  id
  status
  ... on MediaImage {
    originalSource { url }
    image { url }
  }
}`;

/**
 * Attaches new media. Shopify appends them to the product's list, so the answer's last `$window` media hold
 * them (told apart by their markers, never by position: the merchant may be adding media at the same time).
 */
export const PRODUCT_ATTACH_MEDIA_MUTATION = `#graphql
mutation ProductAttachMedia($product: ProductUpdateInput!, $media: [CreateMediaInput!]!, $window: Int!) {
  productUpdate(product: $product, media: $media) {
    product {
      id
      media(last: $window) {
        nodes { ...MarkedMediaFields }
      }
    }
    userErrors { field message }
  }
}
${MARKED_MEDIA_FIELDS}` as AdminDocument<ProductAttachMediaMutation, ProductAttachMediaMutationVariables>;

/**
 * Every media of the product with what identifies the app's: asked before attaching again on a retry, after
 * an answer was lost, and on restore. Requested cost about 750 points, so it is asked only then.
 */
export const PRODUCT_MARKED_MEDIA_QUERY = `#graphql
query ProductMarkedMedia($id: ID!) {
  product(id: $id) {
    id
    mediaCount { count }
    media(first: 250) {
      nodes { ...MarkedMediaFields }
    }
  }
}
${MARKED_MEDIA_FIELDS}` as AdminDocument<ProductMarkedMediaQuery, ProductMarkedMediaQueryVariables>;

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
}` as AdminDocument<MediaStatusQuery, MediaStatusQueryVariables>;

export const PRODUCT_REORDER_MEDIA_MUTATION = `#graphql
mutation ProductReorderMedia($id: ID!, $moves: [MoveInput!]!) {
  productReorderMedia(id: $id, moves: $moves) {
    job { id done }
    mediaUserErrors { code field message }
  }
}` as AdminDocument<ProductReorderMediaMutation, ProductReorderMediaMutationVariables>;

export const JOB_STATUS_QUERY = `#graphql
query JobStatus($id: ID!) {
  job(id: $id) { id done }
}` as AdminDocument<JobStatusQuery, JobStatusQueryVariables>;

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
}` as AdminDocument<FileUpdateMutation, FileUpdateMutationVariables>;

/** Deletes files outright: used only for the app's own media that failed processing. */
export const FILE_DELETE_MUTATION = `#graphql
mutation FileDelete($fileIds: [ID!]!) {
  fileDelete(fileIds: $fileIds) {
    deletedFileIds
    userErrors { code field message }
  }
}` as AdminDocument<FileDeleteMutation, FileDeleteMutationVariables>;

// Billing (billing.server.ts). Money is MoneyInput/MoneyV2 in USD; the app passes and reads whole cents.

const SUBSCRIPTION_FIELDS = `#graphql
fragment SubscriptionFields on AppSubscription {
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
}`;

/** Development and staff stores can approve test charges only. */
export const SHOP_BILLING_PLAN_QUERY = `#graphql
query ShopBillingPlan {
  shop {
    plan { partnerDevelopment publicDisplayName }
  }
}` as AdminDocument<ShopBillingPlanQuery, ShopBillingPlanQueryVariables>;

/**
 * A plan's subscription: the recurring fee and the usage line item with its capped amount. The active
 * plan gives way as soon as the merchant approves the new one (never two active subscriptions).
 */
export const APP_SUBSCRIPTION_CREATE_MUTATION = `#graphql
mutation AppSubscriptionCreate($name: String!, $returnUrl: URL!, $test: Boolean!, $lineItems: [AppSubscriptionLineItemInput!]!) {
  appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, lineItems: $lineItems, replacementBehavior: APPLY_IMMEDIATELY) {
    appSubscription { ...SubscriptionFields }
    confirmationUrl
    userErrors { field message }
  }
}
${SUBSCRIPTION_FIELDS}` as AdminDocument<AppSubscriptionCreateMutation, AppSubscriptionCreateMutationVariables>;

export const ACTIVE_SUBSCRIPTIONS_QUERY = `#graphql
query ActiveSubscriptions {
  currentAppInstallation {
    activeSubscriptions { ...SubscriptionFields }
  }
}
${SUBSCRIPTION_FIELDS}` as AdminDocument<ActiveSubscriptionsQuery, ActiveSubscriptionsQueryVariables>;

/** One subscription by id, e.g. the `charge_id` Shopify appends to the return URL after approval. */
export const APP_SUBSCRIPTION_QUERY = `#graphql
query AppSubscription($id: ID!) {
  node(id: $id) {
    ...SubscriptionFields
  }
}
${SUBSCRIPTION_FIELDS}` as AdminDocument<AppSubscriptionQuery, AppSubscriptionQueryVariables>;

export const APP_USAGE_RECORD_CREATE_MUTATION = `#graphql
mutation AppUsageRecordCreate($lineItemId: ID!, $price: MoneyInput!, $description: String!, $idempotencyKey: String!) {
  appUsageRecordCreate(subscriptionLineItemId: $lineItemId, price: $price, description: $description, idempotencyKey: $idempotencyKey) {
    appUsageRecord { id idempotencyKey createdAt price { amount currencyCode } }
    userErrors { field message }
  }
}` as AdminDocument<AppUsageRecordCreateMutation, AppUsageRecordCreateMutationVariables>;

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
}` as AdminDocument<AppUsageRecordsQuery, AppUsageRecordsQueryVariables>;

/** Raising the capped amount takes effect once the merchant approves it on the confirmation page. */
export const APP_SUBSCRIPTION_LINE_ITEM_UPDATE_MUTATION = `#graphql
mutation AppSubscriptionLineItemUpdate($id: ID!, $cappedAmount: MoneyInput!) {
  appSubscriptionLineItemUpdate(id: $id, cappedAmount: $cappedAmount) {
    confirmationUrl
    userErrors { field message }
  }
}` as AdminDocument<AppSubscriptionLineItemUpdateMutation, AppSubscriptionLineItemUpdateMutationVariables>;

export const APP_SUBSCRIPTION_CANCEL_MUTATION = `#graphql
mutation AppSubscriptionCancel($id: ID!, $prorate: Boolean!) {
  appSubscriptionCancel(id: $id, prorate: $prorate) {
    appSubscription { id status }
    userErrors { field message }
  }
}` as AdminDocument<AppSubscriptionCancelMutation, AppSubscriptionCancelMutationVariables>;

// Catalogue reads at scale: bulk query operations and chunked reads by id (app/shopify/bulk-read.server.ts).

/**
 * The query a bulk operation runs over the catalogue (bulk queries take no variables, so the search is
 * written into it). Shopify's bulk rules: one top-level connection, `edges { node }` rather than
 * `nodes`, no `first`, and `id` on every node that has a nested connection; each media becomes its own
 * JSONL line with the product's id as `__parentId`.
 */
export function bulkCatalogProductsQuery(search: string | null): string {
  // JSON string syntax is GraphQL string syntax, once lone surrogates (which GraphQL refuses) are replaced.
  const wellFormed = search?.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  const args = wellFormed === undefined ? "sortKey: ID" : `query: ${JSON.stringify(wellFormed)}, sortKey: ID`;
  // Not marked #graphql: the codegen reads only static documents, and a bulk query's answer is JSONL lines
  // (read in bulk-read.server.ts), not a typed response. documents.test.ts validates it against the schema.
  return `
query BulkCatalogProducts {
  products(${args}) {
    edges {
      node {
        id
        title
        status
        media {
          edges {
            node {
              id
              alt
              status
              mediaContentType
              ... on MediaImage {
                image { url width height }
              }
            }
          }
        }
      }
    }
  }
}`;
}

/** groupObjects: true puts each product's media lines right after it, so the result streams product by product. */
export const BULK_OPERATION_RUN_QUERY_MUTATION = `#graphql
mutation BulkOperationRunQuery($query: String!, $groupObjects: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}` as AdminDocument<BulkOperationRunQueryMutation, BulkOperationRunQueryMutationVariables>;

/** Polling one operation (currentBulkOperation is deprecated in 2026-10). */
export const BULK_OPERATION_QUERY = `#graphql
query BulkOperationStatus($id: ID!) {
  bulkOperation(id: $id) {
    id
    status
    errorCode
    objectCount
    fileSize
    url
    partialDataUrl
  }
}` as AdminDocument<BulkOperationStatusQuery, BulkOperationStatusQueryVariables>;

/** The app's bulk operations that have not finished, to reuse one already running the same query. */
export const UNFINISHED_BULK_OPERATIONS_QUERY = `#graphql
query UnfinishedBulkOperations {
  bulkOperations(first: 10, query: "status:created OR status:running") {
    nodes { id status type query }
  }
}` as AdminDocument<UnfinishedBulkOperationsQuery, UnfinishedBulkOperationsQueryVariables>;

export const BULK_OPERATION_CANCEL_MUTATION = `#graphql
mutation BulkOperationCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}` as AdminDocument<BulkOperationCancelMutation, BulkOperationCancelMutationVariables>;

/**
 * Products by id with their first media, for explicit selections. Requested cost per product:
 * 1 + media connection 2 + $mediaFirst × (media 1 + image 1), so a call of N ids costs 13 N with 5 media.
 */
export const CATALOG_PRODUCTS_BY_IDS_QUERY = `#graphql
query CatalogProductsByIds($ids: [ID!]!, $mediaFirst: Int!) {
  nodes(ids: $ids) {
    ... on Product {
      id
      title
      status
      media(first: $mediaFirst) {
        nodes {
          id
          alt
          status
          mediaContentType
          ... on MediaImage {
            image { url width height }
          }
        }
      }
    }
  }
}` as AdminDocument<CatalogProductsByIdsQuery, CatalogProductsByIdsQueryVariables>;

/** The shop's collections for the home page's picker (the first 250 by title: a picker, not an export). */
export const COLLECTIONS_FOR_PICKER_QUERY = `#graphql
query CollectionsForPicker($first: Int!) {
  collections(first: $first, sortKey: TITLE) {
    nodes { id title }
  }
}` as AdminDocument<CollectionsForPickerQuery, CollectionsForPickerQueryVariables>;
