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
${MEDIA_IMAGE_FIELDS}`;

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
