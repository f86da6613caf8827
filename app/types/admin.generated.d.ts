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

type MarkedMediaFields_ExternalVideo_Fragment = Pick<AdminTypes.ExternalVideo, 'id' | 'status'>;

type MarkedMediaFields_MediaImage_Fragment = (
  Pick<AdminTypes.MediaImage, 'id' | 'status'>
  & { originalSource?: AdminTypes.Maybe<Pick<AdminTypes.MediaImageOriginalSource, 'url'>>, image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url'>> }
);

type MarkedMediaFields_Model3d_Fragment = Pick<AdminTypes.Model3d, 'id' | 'status'>;

type MarkedMediaFields_Video_Fragment = Pick<AdminTypes.Video, 'id' | 'status'>;

export type MarkedMediaFieldsFragment = MarkedMediaFields_ExternalVideo_Fragment | MarkedMediaFields_MediaImage_Fragment | MarkedMediaFields_Model3d_Fragment | MarkedMediaFields_Video_Fragment;

export type ProductAttachMediaMutationVariables = AdminTypes.Exact<{
  product: AdminTypes.ProductUpdateInput;
  media: Array<AdminTypes.CreateMediaInput> | AdminTypes.CreateMediaInput;
  window: AdminTypes.Scalars['Int']['input'];
}>;


export type ProductAttachMediaMutation = { productUpdate?: AdminTypes.Maybe<{ product?: AdminTypes.Maybe<(
      Pick<AdminTypes.Product, 'id'>
      & { media: { nodes: Array<Pick<AdminTypes.ExternalVideo, 'id' | 'status'> | (
          Pick<AdminTypes.MediaImage, 'id' | 'status'>
          & { originalSource?: AdminTypes.Maybe<Pick<AdminTypes.MediaImageOriginalSource, 'url'>>, image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url'>> }
        ) | Pick<AdminTypes.Model3d, 'id' | 'status'> | Pick<AdminTypes.Video, 'id' | 'status'>> } }
    )>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type ProductMarkedMediaQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type ProductMarkedMediaQuery = { product?: AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id'>
    & { mediaCount?: AdminTypes.Maybe<Pick<AdminTypes.Count, 'count'>>, media: { nodes: Array<Pick<AdminTypes.ExternalVideo, 'id' | 'status'> | (
        Pick<AdminTypes.MediaImage, 'id' | 'status'>
        & { originalSource?: AdminTypes.Maybe<Pick<AdminTypes.MediaImageOriginalSource, 'url'>>, image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url'>> }
      ) | Pick<AdminTypes.Model3d, 'id' | 'status'> | Pick<AdminTypes.Video, 'id' | 'status'>> } }
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

export type SubscriptionFieldsFragment = (
  Pick<AdminTypes.AppSubscription, 'id' | 'name' | 'status' | 'test' | 'trialDays' | 'createdAt' | 'currentPeriodEnd'>
  & { lineItems: Array<(
    Pick<AdminTypes.AppSubscriptionLineItem, 'id'>
    & { plan: { pricingDetails: (
        { __typename: 'AppRecurringPricing' }
        & Pick<AdminTypes.AppRecurringPricing, 'interval'>
        & { price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
      ) | (
        { __typename: 'AppUsagePricing' }
        & Pick<AdminTypes.AppUsagePricing, 'terms'>
        & { cappedAmount: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'>, balanceUsed: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
      ) } }
  )> }
);

export type ShopBillingPlanQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ShopBillingPlanQuery = { shop: { plan: Pick<AdminTypes.ShopPlan, 'partnerDevelopment' | 'publicDisplayName'> } };

export type AppSubscriptionCreateMutationVariables = AdminTypes.Exact<{
  name: AdminTypes.Scalars['String']['input'];
  returnUrl: AdminTypes.Scalars['URL']['input'];
  test: AdminTypes.Scalars['Boolean']['input'];
  lineItems: Array<AdminTypes.AppSubscriptionLineItemInput> | AdminTypes.AppSubscriptionLineItemInput;
}>;


export type AppSubscriptionCreateMutation = { appSubscriptionCreate?: AdminTypes.Maybe<(
    Pick<AdminTypes.AppSubscriptionCreatePayload, 'confirmationUrl'>
    & { appSubscription?: AdminTypes.Maybe<(
      Pick<AdminTypes.AppSubscription, 'id' | 'name' | 'status' | 'test' | 'trialDays' | 'createdAt' | 'currentPeriodEnd'>
      & { lineItems: Array<(
        Pick<AdminTypes.AppSubscriptionLineItem, 'id'>
        & { plan: { pricingDetails: (
            { __typename: 'AppRecurringPricing' }
            & Pick<AdminTypes.AppRecurringPricing, 'interval'>
            & { price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
          ) | (
            { __typename: 'AppUsagePricing' }
            & Pick<AdminTypes.AppUsagePricing, 'terms'>
            & { cappedAmount: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'>, balanceUsed: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
          ) } }
      )> }
    )>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }
  )> };

export type ActiveSubscriptionsQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ActiveSubscriptionsQuery = { currentAppInstallation: { activeSubscriptions: Array<(
      Pick<AdminTypes.AppSubscription, 'id' | 'name' | 'status' | 'test' | 'trialDays' | 'createdAt' | 'currentPeriodEnd'>
      & { lineItems: Array<(
        Pick<AdminTypes.AppSubscriptionLineItem, 'id'>
        & { plan: { pricingDetails: (
            { __typename: 'AppRecurringPricing' }
            & Pick<AdminTypes.AppRecurringPricing, 'interval'>
            & { price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
          ) | (
            { __typename: 'AppUsagePricing' }
            & Pick<AdminTypes.AppUsagePricing, 'terms'>
            & { cappedAmount: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'>, balanceUsed: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
          ) } }
      )> }
    )> } };

export type AppSubscriptionQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type AppSubscriptionQuery = { node?: AdminTypes.Maybe<(
    Pick<AdminTypes.AppSubscription, 'id' | 'name' | 'status' | 'test' | 'trialDays' | 'createdAt' | 'currentPeriodEnd'>
    & { lineItems: Array<(
      Pick<AdminTypes.AppSubscriptionLineItem, 'id'>
      & { plan: { pricingDetails: (
          { __typename: 'AppRecurringPricing' }
          & Pick<AdminTypes.AppRecurringPricing, 'interval'>
          & { price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
        ) | (
          { __typename: 'AppUsagePricing' }
          & Pick<AdminTypes.AppUsagePricing, 'terms'>
          & { cappedAmount: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'>, balanceUsed: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
        ) } }
    )> }
  )> };

export type AppUsageRecordCreateMutationVariables = AdminTypes.Exact<{
  lineItemId: AdminTypes.Scalars['ID']['input'];
  price: AdminTypes.MoneyInput;
  description: AdminTypes.Scalars['String']['input'];
  idempotencyKey: AdminTypes.Scalars['String']['input'];
}>;


export type AppUsageRecordCreateMutation = { appUsageRecordCreate?: AdminTypes.Maybe<{ appUsageRecord?: AdminTypes.Maybe<(
      Pick<AdminTypes.AppUsageRecord, 'id' | 'idempotencyKey' | 'createdAt'>
      & { price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
    )>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type AppUsageRecordsQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  after?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
}>;


export type AppUsageRecordsQuery = { node?: AdminTypes.Maybe<{ lineItems: Array<(
      Pick<AdminTypes.AppSubscriptionLineItem, 'id'>
      & { usageRecords: { nodes: Array<(
          Pick<AdminTypes.AppUsageRecord, 'id' | 'idempotencyKey' | 'createdAt'>
          & { price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
        )>, pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'> } }
    )> }> };

export type AppSubscriptionLineItemUpdateMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  cappedAmount: AdminTypes.MoneyInput;
}>;


export type AppSubscriptionLineItemUpdateMutation = { appSubscriptionLineItemUpdate?: AdminTypes.Maybe<(
    Pick<AdminTypes.AppSubscriptionLineItemUpdatePayload, 'confirmationUrl'>
    & { userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }
  )> };

export type AppSubscriptionCancelMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  prorate: AdminTypes.Scalars['Boolean']['input'];
}>;


export type AppSubscriptionCancelMutation = { appSubscriptionCancel?: AdminTypes.Maybe<{ appSubscription?: AdminTypes.Maybe<Pick<AdminTypes.AppSubscription, 'id' | 'status'>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type BulkOperationRunQueryMutationVariables = AdminTypes.Exact<{
  query: AdminTypes.Scalars['String']['input'];
  groupObjects: AdminTypes.Scalars['Boolean']['input'];
}>;


export type BulkOperationRunQueryMutation = { bulkOperationRunQuery?: AdminTypes.Maybe<{ bulkOperation?: AdminTypes.Maybe<Pick<AdminTypes.BulkOperation, 'id' | 'status'>>, userErrors: Array<Pick<AdminTypes.BulkOperationUserError, 'field' | 'message' | 'code'>> }> };

export type BulkOperationStatusQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type BulkOperationStatusQuery = { bulkOperation?: AdminTypes.Maybe<Pick<AdminTypes.BulkOperation, 'id' | 'status' | 'errorCode' | 'objectCount' | 'fileSize' | 'url' | 'partialDataUrl'>> };

export type UnfinishedBulkOperationsQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type UnfinishedBulkOperationsQuery = { bulkOperations: { nodes: Array<Pick<AdminTypes.BulkOperation, 'id' | 'status' | 'type' | 'query'>> } };

export type BulkOperationCancelMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type BulkOperationCancelMutation = { bulkOperationCancel?: AdminTypes.Maybe<{ bulkOperation?: AdminTypes.Maybe<Pick<AdminTypes.BulkOperation, 'id' | 'status'>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type CatalogProductsByIdsQueryVariables = AdminTypes.Exact<{
  ids: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
  mediaFirst: AdminTypes.Scalars['Int']['input'];
}>;


export type CatalogProductsByIdsQuery = { nodes: Array<AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id' | 'title' | 'status'>
    & { media: { nodes: Array<Pick<AdminTypes.ExternalVideo, 'id' | 'alt' | 'status' | 'mediaContentType'> | (
        Pick<AdminTypes.MediaImage, 'id' | 'alt' | 'status' | 'mediaContentType'>
        & { image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'width' | 'height'>> }
      ) | Pick<AdminTypes.Model3d, 'id' | 'alt' | 'status' | 'mediaContentType'> | Pick<AdminTypes.Video, 'id' | 'alt' | 'status' | 'mediaContentType'>> } }
  )>> };

export type CollectionsForPickerQueryVariables = AdminTypes.Exact<{
  first: AdminTypes.Scalars['Int']['input'];
}>;


export type CollectionsForPickerQuery = { collections: { nodes: Array<Pick<AdminTypes.Collection, 'id' | 'title'>> } };

export type ShopLocalesQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ShopLocalesQuery = { shopLocales: Array<Pick<AdminTypes.ShopLocale, 'locale' | 'primary'>> };

interface GeneratedQueryTypes {
  "#graphql\nquery ProductForGeneration($id: ID!) {\n  product(id: $id) {\n    id\n    title\n    status\n    productType\n    vendor\n    tags\n    description(truncateAt: 600)\n    media(first: 20) {\n      nodes { ...MediaImageFields }\n    }\n  }\n}\n#graphql\nfragment MediaImageFields on Media {\n  __typename\n  id\n  alt\n  status\n  ... on MediaImage {\n    image { url width height altText }\n  }\n}": {return: ProductForGenerationQuery, variables: ProductForGenerationQueryVariables},
  "#graphql\nquery ProductsForPicker($first: Int!, $query: String, $after: String) {\n  products(first: $first, query: $query, after: $after, sortKey: UPDATED_AT, reverse: true) {\n    nodes {\n      id\n      title\n      status\n      mediaCount { count }\n      featuredMedia {\n        id\n        preview { image { url(transform: { maxWidth: 240, maxHeight: 240 }) altText } }\n      }\n    }\n    pageInfo { hasNextPage endCursor }\n  }\n}": {return: ProductsForPickerQuery, variables: ProductsForPickerQueryVariables},
  "#graphql\nquery ProductMediaState($id: ID!) {\n  product(id: $id) {\n    id\n    mediaCount { count }\n  }\n}": {return: ProductMediaStateQuery, variables: ProductMediaStateQueryVariables},
  "#graphql\nquery ProductMarkedMedia($id: ID!) {\n  product(id: $id) {\n    id\n    mediaCount { count }\n    media(first: 250) {\n      nodes { ...MarkedMediaFields }\n    }\n  }\n}\n#graphql\nfragment MarkedMediaFields on Media {\n  id\n  status\n  ... on MediaImage {\n    originalSource { url }\n    image { url }\n  }\n}": {return: ProductMarkedMediaQuery, variables: ProductMarkedMediaQueryVariables},
  "#graphql\nquery MediaStatus($ids: [ID!]!) {\n  nodes(ids: $ids) {\n    ... on MediaImage {\n      id\n      status\n      mediaErrors { code message details }\n      image { url width height }\n    }\n  }\n}": {return: MediaStatusQuery, variables: MediaStatusQueryVariables},
  "#graphql\nquery JobStatus($id: ID!) {\n  job(id: $id) { id done }\n}": {return: JobStatusQuery, variables: JobStatusQueryVariables},
  "#graphql\nquery ShopBillingPlan {\n  shop {\n    plan { partnerDevelopment publicDisplayName }\n  }\n}": {return: ShopBillingPlanQuery, variables: ShopBillingPlanQueryVariables},
  "#graphql\nquery ActiveSubscriptions {\n  currentAppInstallation {\n    activeSubscriptions { ...SubscriptionFields }\n  }\n}\n#graphql\nfragment SubscriptionFields on AppSubscription {\n  id\n  name\n  status\n  test\n  trialDays\n  createdAt\n  currentPeriodEnd\n  lineItems {\n    id\n    plan {\n      pricingDetails {\n        __typename\n        ... on AppRecurringPricing { price { amount currencyCode } interval }\n        ... on AppUsagePricing { cappedAmount { amount currencyCode } balanceUsed { amount currencyCode } terms }\n      }\n    }\n  }\n}": {return: ActiveSubscriptionsQuery, variables: ActiveSubscriptionsQueryVariables},
  "#graphql\nquery AppSubscription($id: ID!) {\n  node(id: $id) {\n    ...SubscriptionFields\n  }\n}\n#graphql\nfragment SubscriptionFields on AppSubscription {\n  id\n  name\n  status\n  test\n  trialDays\n  createdAt\n  currentPeriodEnd\n  lineItems {\n    id\n    plan {\n      pricingDetails {\n        __typename\n        ... on AppRecurringPricing { price { amount currencyCode } interval }\n        ... on AppUsagePricing { cappedAmount { amount currencyCode } balanceUsed { amount currencyCode } terms }\n      }\n    }\n  }\n}": {return: AppSubscriptionQuery, variables: AppSubscriptionQueryVariables},
  "#graphql\nquery AppUsageRecords($id: ID!, $after: String) {\n  node(id: $id) {\n    ... on AppSubscription {\n      lineItems {\n        id\n        usageRecords(first: 50, reverse: true, after: $after) {\n          nodes { id idempotencyKey createdAt price { amount currencyCode } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n}": {return: AppUsageRecordsQuery, variables: AppUsageRecordsQueryVariables},
  "#graphql\nquery BulkOperationStatus($id: ID!) {\n  bulkOperation(id: $id) {\n    id\n    status\n    errorCode\n    objectCount\n    fileSize\n    url\n    partialDataUrl\n  }\n}": {return: BulkOperationStatusQuery, variables: BulkOperationStatusQueryVariables},
  "#graphql\nquery UnfinishedBulkOperations {\n  bulkOperations(first: 10, query: \"status:created OR status:running\") {\n    nodes { id status type query }\n  }\n}": {return: UnfinishedBulkOperationsQuery, variables: UnfinishedBulkOperationsQueryVariables},
  "#graphql\nquery CatalogProductsByIds($ids: [ID!]!, $mediaFirst: Int!) {\n  nodes(ids: $ids) {\n    ... on Product {\n      id\n      title\n      status\n      media(first: $mediaFirst) {\n        nodes {\n          id\n          alt\n          status\n          mediaContentType\n          ... on MediaImage {\n            image { url width height }\n          }\n        }\n      }\n    }\n  }\n}": {return: CatalogProductsByIdsQuery, variables: CatalogProductsByIdsQueryVariables},
  "#graphql\nquery CollectionsForPicker($first: Int!) {\n  collections(first: $first, sortKey: TITLE) {\n    nodes { id title }\n  }\n}": {return: CollectionsForPickerQuery, variables: CollectionsForPickerQueryVariables},
  "#graphql\nquery ShopLocales {\n  shopLocales {\n    locale\n    primary\n  }\n}": {return: ShopLocalesQuery, variables: ShopLocalesQueryVariables},
}

interface GeneratedMutationTypes {
  "#graphql\nmutation StagedUploadsCreate($input: [StagedUploadInput!]!) {\n  stagedUploadsCreate(input: $input) {\n    stagedTargets {\n      url\n      resourceUrl\n      parameters { name value }\n    }\n    userErrors { field message }\n  }\n}": {return: StagedUploadsCreateMutation, variables: StagedUploadsCreateMutationVariables},
  "#graphql\nmutation ProductAttachMedia($product: ProductUpdateInput!, $media: [CreateMediaInput!]!, $window: Int!) {\n  productUpdate(product: $product, media: $media) {\n    product {\n      id\n      media(last: $window) {\n        nodes { ...MarkedMediaFields }\n      }\n    }\n    userErrors { field message }\n  }\n}\n#graphql\nfragment MarkedMediaFields on Media {\n  id\n  status\n  ... on MediaImage {\n    originalSource { url }\n    image { url }\n  }\n}": {return: ProductAttachMediaMutation, variables: ProductAttachMediaMutationVariables},
  "#graphql\nmutation ProductReorderMedia($id: ID!, $moves: [MoveInput!]!) {\n  productReorderMedia(id: $id, moves: $moves) {\n    job { id done }\n    mediaUserErrors { code field message }\n  }\n}": {return: ProductReorderMediaMutation, variables: ProductReorderMediaMutationVariables},
  "#graphql\nmutation FileUpdate($files: [FileUpdateInput!]!) {\n  fileUpdate(files: $files) {\n    files { id alt fileStatus }\n    userErrors { code field message }\n  }\n}": {return: FileUpdateMutation, variables: FileUpdateMutationVariables},
  "#graphql\nmutation FileDelete($fileIds: [ID!]!) {\n  fileDelete(fileIds: $fileIds) {\n    deletedFileIds\n    userErrors { code field message }\n  }\n}": {return: FileDeleteMutation, variables: FileDeleteMutationVariables},
  "#graphql\nmutation AppSubscriptionCreate($name: String!, $returnUrl: URL!, $test: Boolean!, $lineItems: [AppSubscriptionLineItemInput!]!) {\n  appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, lineItems: $lineItems, replacementBehavior: APPLY_IMMEDIATELY) {\n    appSubscription { ...SubscriptionFields }\n    confirmationUrl\n    userErrors { field message }\n  }\n}\n#graphql\nfragment SubscriptionFields on AppSubscription {\n  id\n  name\n  status\n  test\n  trialDays\n  createdAt\n  currentPeriodEnd\n  lineItems {\n    id\n    plan {\n      pricingDetails {\n        __typename\n        ... on AppRecurringPricing { price { amount currencyCode } interval }\n        ... on AppUsagePricing { cappedAmount { amount currencyCode } balanceUsed { amount currencyCode } terms }\n      }\n    }\n  }\n}": {return: AppSubscriptionCreateMutation, variables: AppSubscriptionCreateMutationVariables},
  "#graphql\nmutation AppUsageRecordCreate($lineItemId: ID!, $price: MoneyInput!, $description: String!, $idempotencyKey: String!) {\n  appUsageRecordCreate(subscriptionLineItemId: $lineItemId, price: $price, description: $description, idempotencyKey: $idempotencyKey) {\n    appUsageRecord { id idempotencyKey createdAt price { amount currencyCode } }\n    userErrors { field message }\n  }\n}": {return: AppUsageRecordCreateMutation, variables: AppUsageRecordCreateMutationVariables},
  "#graphql\nmutation AppSubscriptionLineItemUpdate($id: ID!, $cappedAmount: MoneyInput!) {\n  appSubscriptionLineItemUpdate(id: $id, cappedAmount: $cappedAmount) {\n    confirmationUrl\n    userErrors { field message }\n  }\n}": {return: AppSubscriptionLineItemUpdateMutation, variables: AppSubscriptionLineItemUpdateMutationVariables},
  "#graphql\nmutation AppSubscriptionCancel($id: ID!, $prorate: Boolean!) {\n  appSubscriptionCancel(id: $id, prorate: $prorate) {\n    appSubscription { id status }\n    userErrors { field message }\n  }\n}": {return: AppSubscriptionCancelMutation, variables: AppSubscriptionCancelMutationVariables},
  "#graphql\nmutation BulkOperationRunQuery($query: String!, $groupObjects: Boolean!) {\n  bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) {\n    bulkOperation { id status }\n    userErrors { field message code }\n  }\n}": {return: BulkOperationRunQueryMutation, variables: BulkOperationRunQueryMutationVariables},
  "#graphql\nmutation BulkOperationCancel($id: ID!) {\n  bulkOperationCancel(id: $id) {\n    bulkOperation { id status }\n    userErrors { field message }\n  }\n}": {return: BulkOperationCancelMutation, variables: BulkOperationCancelMutationVariables},
}
declare module '@shopify/admin-api-client' {
  type InputMaybe<T> = AdminTypes.InputMaybe<T>;
  interface AdminQueries extends GeneratedQueryTypes {}
  interface AdminMutations extends GeneratedMutationTypes {}
}
