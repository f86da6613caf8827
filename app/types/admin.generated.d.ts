/* eslint-disable eslint-comments/disable-enable-pair */
/* eslint-disable eslint-comments/no-unlimited-disable */
/* eslint-disable */
import type * as AdminTypes from './admin.types.js';

export type ShopLocalesQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ShopLocalesQuery = { shopLocales: Array<Pick<AdminTypes.ShopLocale, 'locale' | 'primary'>> };

interface GeneratedQueryTypes {
  "#graphql\nquery ShopLocales {\n  shopLocales {\n    locale\n    primary\n  }\n}": {return: ShopLocalesQuery, variables: ShopLocalesQueryVariables},
}

interface GeneratedMutationTypes {
}
declare module '@shopify/admin-api-client' {
  type InputMaybe<T> = AdminTypes.InputMaybe<T>;
  interface AdminQueries extends GeneratedQueryTypes {}
  interface AdminMutations extends GeneratedMutationTypes {}
}
