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
  return `#graphql
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
}`;

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
}`;

/** The app's bulk operations that have not finished, to reuse one already running the same query. */
export const UNFINISHED_BULK_OPERATIONS_QUERY = `#graphql
query UnfinishedBulkOperations {
  bulkOperations(first: 10, query: "status:created OR status:running") {
    nodes { id status type query }
  }
}`;

export const BULK_OPERATION_CANCEL_MUTATION = `#graphql
mutation BulkOperationCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}`;

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
}`;
