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

/** Before a first publish: does the product exist, and how much room is left (250 media at most)? */
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
 * What tells the app's media from the merchant's: the file name, which ends with the app's marker. It is in
 * `originalSource.url` and, from READY on (`image` is null before), in `image.url`.
 */
const MARKED_MEDIA_FIELDS = `
  id
  status
  ... on MediaImage {
    originalSource { url }
    image { url }
  }
`;

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
        nodes {${MARKED_MEDIA_FIELDS}}
      }
    }
    userErrors { field message }
  }
}`;

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
      nodes {${MARKED_MEDIA_FIELDS}}
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
