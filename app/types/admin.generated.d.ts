/* eslint-disable eslint-comments/disable-enable-pair */
/* eslint-disable eslint-comments/no-unlimited-disable */
/* eslint-disable */
import type * as AdminTypes from './admin.types.js';

type MediaImageFields_ExternalVideo_Fragment = (
  { __typename: 'ExternalVideo' }
  & Pick<AdminTypes.ExternalVideo, 'id' | 'alt' | 'status'>
);

type MediaImageFields_MediaImage_Fragment = (
  { __typename: 'MediaImage' }
  & Pick<AdminTypes.MediaImage, 'id' | 'alt' | 'status'>
  & { image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'width' | 'height' | 'altText'>> }
);

type MediaImageFields_Model3d_Fragment = (
  { __typename: 'Model3d' }
  & Pick<AdminTypes.Model3d, 'id' | 'alt' | 'status'>
);

type MediaImageFields_Video_Fragment = (
  { __typename: 'Video' }
  & Pick<AdminTypes.Video, 'id' | 'alt' | 'status'>
);

export type MediaImageFieldsFragment = MediaImageFields_ExternalVideo_Fragment | MediaImageFields_MediaImage_Fragment | MediaImageFields_Model3d_Fragment | MediaImageFields_Video_Fragment;

export type ProductForGenerationQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type ProductForGenerationQuery = { product?: AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id' | 'title' | 'status' | 'productType' | 'vendor' | 'tags' | 'description'>
    & { media: { nodes: Array<(
        { __typename: 'ExternalVideo' }
        & Pick<AdminTypes.ExternalVideo, 'id' | 'alt' | 'status'>
      ) | (
        { __typename: 'MediaImage' }
        & Pick<AdminTypes.MediaImage, 'id' | 'alt' | 'status'>
        & { image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'width' | 'height' | 'altText'>> }
      ) | (
        { __typename: 'Model3d' }
        & Pick<AdminTypes.Model3d, 'id' | 'alt' | 'status'>
      ) | (
        { __typename: 'Video' }
        & Pick<AdminTypes.Video, 'id' | 'alt' | 'status'>
      )> } }
  )> };

export type ProductsForPickerQueryVariables = AdminTypes.Exact<{
  first: AdminTypes.Scalars['Int']['input'];
  query?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
  after?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
}>;


export type ProductsForPickerQuery = { products: { nodes: Array<(
      Pick<AdminTypes.Product, 'id' | 'title' | 'status'>
      & { mediaCount?: AdminTypes.Maybe<Pick<AdminTypes.Count, 'count'>>, featuredMedia?: AdminTypes.Maybe<(
        Pick<AdminTypes.ExternalVideo, 'id'>
        & { preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }
      ) | (
        Pick<AdminTypes.MediaImage, 'id'>
        & { preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }
      ) | (
        Pick<AdminTypes.Model3d, 'id'>
        & { preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }
      ) | (
        Pick<AdminTypes.Video, 'id'>
        & { preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }
      )> }
    )>, pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'> } };

export type ProductMediaStateQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type ProductMediaStateQuery = { product?: AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id'>
    & { mediaCount?: AdminTypes.Maybe<Pick<AdminTypes.Count, 'count'>> }
  )> };

export type StagedUploadsCreateMutationVariables = AdminTypes.Exact<{
  input: Array<AdminTypes.StagedUploadInput> | AdminTypes.StagedUploadInput;
}>;


export type StagedUploadsCreateMutation = { stagedUploadsCreate?: AdminTypes.Maybe<{ stagedTargets?: AdminTypes.Maybe<Array<(
      Pick<AdminTypes.StagedMediaUploadTarget, 'url' | 'resourceUrl'>
      & { parameters: Array<Pick<AdminTypes.StagedUploadParameter, 'name' | 'value'>> }
    )>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type ProductAttachMediaMutationVariables = AdminTypes.Exact<{
  product: AdminTypes.ProductUpdateInput;
  media: Array<AdminTypes.CreateMediaInput> | AdminTypes.CreateMediaInput;
  newCount: AdminTypes.Scalars['Int']['input'];
}>;


export type ProductAttachMediaMutation = { productUpdate?: AdminTypes.Maybe<{ product?: AdminTypes.Maybe<(
      Pick<AdminTypes.Product, 'id'>
      & { mediaCount?: AdminTypes.Maybe<Pick<AdminTypes.Count, 'count'>>, media: { nodes: Array<Pick<AdminTypes.ExternalVideo, 'id' | 'alt' | 'status'> | Pick<AdminTypes.MediaImage, 'id' | 'alt' | 'status'> | Pick<AdminTypes.Model3d, 'id' | 'alt' | 'status'> | Pick<AdminTypes.Video, 'id' | 'alt' | 'status'>> } }
    )>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type ProductRecentMediaQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  last: AdminTypes.Scalars['Int']['input'];
}>;


export type ProductRecentMediaQuery = { product?: AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id'>
    & { mediaCount?: AdminTypes.Maybe<Pick<AdminTypes.Count, 'count'>>, media: { nodes: Array<Pick<AdminTypes.ExternalVideo, 'id' | 'alt' | 'status'> | Pick<AdminTypes.MediaImage, 'id' | 'alt' | 'status'> | Pick<AdminTypes.Model3d, 'id' | 'alt' | 'status'> | Pick<AdminTypes.Video, 'id' | 'alt' | 'status'>> } }
  )> };

export type MediaStatusQueryVariables = AdminTypes.Exact<{
  ids: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
}>;


export type MediaStatusQuery = { nodes: Array<AdminTypes.Maybe<(
    Pick<AdminTypes.MediaImage, 'id' | 'status'>
    & { mediaErrors: Array<Pick<AdminTypes.MediaError, 'code' | 'message' | 'details'>>, image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'width' | 'height'>> }
  )>> };

export type ProductReorderMediaMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  moves: Array<AdminTypes.MoveInput> | AdminTypes.MoveInput;
}>;


export type ProductReorderMediaMutation = { productReorderMedia?: AdminTypes.Maybe<{ job?: AdminTypes.Maybe<Pick<AdminTypes.Job, 'id' | 'done'>>, mediaUserErrors: Array<Pick<AdminTypes.MediaUserError, 'code' | 'field' | 'message'>> }> };

export type JobStatusQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type JobStatusQuery = { job?: AdminTypes.Maybe<Pick<AdminTypes.Job, 'id' | 'done'>> };

export type ProductMediaIdsQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type ProductMediaIdsQuery = { product?: AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id'>
    & { media: { nodes: Array<Pick<AdminTypes.ExternalVideo, 'id' | 'status'> | Pick<AdminTypes.MediaImage, 'id' | 'status'> | Pick<AdminTypes.Model3d, 'id' | 'status'> | Pick<AdminTypes.Video, 'id' | 'status'>> } }
  )> };

export type FileUpdateMutationVariables = AdminTypes.Exact<{
  files: Array<AdminTypes.FileUpdateInput> | AdminTypes.FileUpdateInput;
}>;


export type FileUpdateMutation = { fileUpdate?: AdminTypes.Maybe<{ files?: AdminTypes.Maybe<Array<Pick<AdminTypes.ExternalVideo, 'id' | 'alt' | 'fileStatus'> | Pick<AdminTypes.GenericFile, 'id' | 'alt' | 'fileStatus'> | Pick<AdminTypes.MediaImage, 'id' | 'alt' | 'fileStatus'> | Pick<AdminTypes.Model3d, 'id' | 'alt' | 'fileStatus'> | Pick<AdminTypes.Video, 'id' | 'alt' | 'fileStatus'>>>, userErrors: Array<Pick<AdminTypes.FilesUserError, 'code' | 'field' | 'message'>> }> };

export type FileDeleteMutationVariables = AdminTypes.Exact<{
  fileIds: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
}>;


export type FileDeleteMutation = { fileDelete?: AdminTypes.Maybe<(
    Pick<AdminTypes.FileDeletePayload, 'deletedFileIds'>
    & { userErrors: Array<Pick<AdminTypes.FilesUserError, 'code' | 'field' | 'message'>> }
  )> };

interface GeneratedQueryTypes {
  "#graphql\nquery ProductForGeneration($id: ID!) {\n  product(id: $id) {\n    id\n    title\n    status\n    productType\n    vendor\n    tags\n    description(truncateAt: 600)\n    media(first: 20) {\n      nodes { ...MediaImageFields }\n    }\n  }\n}\n#graphql\nfragment MediaImageFields on Media {\n  __typename\n  id\n  alt\n  status\n  ... on MediaImage {\n    image { url width height altText }\n  }\n}": {return: ProductForGenerationQuery, variables: ProductForGenerationQueryVariables},
  "#graphql\nquery ProductsForPicker($first: Int!, $query: String, $after: String) {\n  products(first: $first, query: $query, after: $after, sortKey: UPDATED_AT, reverse: true) {\n    nodes {\n      id\n      title\n      status\n      mediaCount { count }\n      featuredMedia {\n        id\n        preview { image { url(transform: { maxWidth: 240, maxHeight: 240 }) altText } }\n      }\n    }\n    pageInfo { hasNextPage endCursor }\n  }\n}": {return: ProductsForPickerQuery, variables: ProductsForPickerQueryVariables},
  "#graphql\nquery ProductMediaState($id: ID!) {\n  product(id: $id) {\n    id\n    mediaCount { count }\n  }\n}": {return: ProductMediaStateQuery, variables: ProductMediaStateQueryVariables},
  "#graphql\nquery ProductRecentMedia($id: ID!, $last: Int!) {\n  product(id: $id) {\n    id\n    mediaCount { count }\n    media(last: $last) {\n      nodes { id alt status }\n    }\n  }\n}": {return: ProductRecentMediaQuery, variables: ProductRecentMediaQueryVariables},
  "#graphql\nquery MediaStatus($ids: [ID!]!) {\n  nodes(ids: $ids) {\n    ... on MediaImage {\n      id\n      status\n      mediaErrors { code message details }\n      image { url width height }\n    }\n  }\n}": {return: MediaStatusQuery, variables: MediaStatusQueryVariables},
  "#graphql\nquery JobStatus($id: ID!) {\n  job(id: $id) { id done }\n}": {return: JobStatusQuery, variables: JobStatusQueryVariables},
  "#graphql\nquery ProductMediaIds($id: ID!) {\n  product(id: $id) {\n    id\n    media(first: 250) {\n      nodes { id status }\n    }\n  }\n}": {return: ProductMediaIdsQuery, variables: ProductMediaIdsQueryVariables},
}

interface GeneratedMutationTypes {
  "#graphql\nmutation StagedUploadsCreate($input: [StagedUploadInput!]!) {\n  stagedUploadsCreate(input: $input) {\n    stagedTargets {\n      url\n      resourceUrl\n      parameters { name value }\n    }\n    userErrors { field message }\n  }\n}": {return: StagedUploadsCreateMutation, variables: StagedUploadsCreateMutationVariables},
  "#graphql\nmutation ProductAttachMedia($product: ProductUpdateInput!, $media: [CreateMediaInput!]!, $newCount: Int!) {\n  productUpdate(product: $product, media: $media) {\n    product {\n      id\n      mediaCount { count }\n      media(last: $newCount) {\n        nodes { id alt status }\n      }\n    }\n    userErrors { field message }\n  }\n}": {return: ProductAttachMediaMutation, variables: ProductAttachMediaMutationVariables},
  "#graphql\nmutation ProductReorderMedia($id: ID!, $moves: [MoveInput!]!) {\n  productReorderMedia(id: $id, moves: $moves) {\n    job { id done }\n    mediaUserErrors { code field message }\n  }\n}": {return: ProductReorderMediaMutation, variables: ProductReorderMediaMutationVariables},
  "#graphql\nmutation FileUpdate($files: [FileUpdateInput!]!) {\n  fileUpdate(files: $files) {\n    files { id alt fileStatus }\n    userErrors { code field message }\n  }\n}": {return: FileUpdateMutation, variables: FileUpdateMutationVariables},
  "#graphql\nmutation FileDelete($fileIds: [ID!]!) {\n  fileDelete(fileIds: $fileIds) {\n    deletedFileIds\n    userErrors { code field message }\n  }\n}": {return: FileDeleteMutation, variables: FileDeleteMutationVariables},
}
declare module '@shopify/admin-api-client' {
  type InputMaybe<T> = AdminTypes.InputMaybe<T>;
  interface AdminQueries extends GeneratedQueryTypes {}
  interface AdminMutations extends GeneratedMutationTypes {}
}
