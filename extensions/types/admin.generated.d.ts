/* eslint-disable eslint-comments/disable-enable-pair */
/* eslint-disable eslint-comments/no-unlimited-disable */
/* eslint-disable */
import type * as AdminTypes from './admin.types.js';

export type ProductTitleQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type ProductTitleQuery = { product?: AdminTypes.Maybe<Pick<AdminTypes.Product, 'title'>> };

interface GeneratedQueryTypes {
  "#graphql\n  query ProductTitle($id: ID!) {\n    product(id: $id) { title }\n  }": {return: ProductTitleQuery, variables: ProductTitleQueryVariables},
}

interface GeneratedMutationTypes {
}
declare module '@shopify/admin-api-client' {
  type InputMaybe<T> = AdminTypes.InputMaybe<T>;
  interface AdminQueries extends GeneratedQueryTypes {}
  interface AdminMutations extends GeneratedMutationTypes {}
}
