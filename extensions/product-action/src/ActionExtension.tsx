import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { GenerateAction } from "../../shared/GenerateAction";
import { appLink } from "../../shared/generate";
import type { ProductTitleQuery } from "../../types/admin.generated";

export default async () => {
  render(<Extension />, document.body);
};

const PRODUCT_TITLE = `#graphql
  query ProductTitle($id: ID!) {
    product(id: $id) { title }
  }`;

function Extension() {
  const productId = shopify.data.selected[0]?.id;
  const [title, setTitle] = useState<string>();

  useEffect(() => {
    if (!productId) return;
    shopify
      .query<ProductTitleQuery>(PRODUCT_TITLE, { variables: { id: productId } })
      .then(({ data }) => setTitle(data?.product?.title ?? ""))
      .catch(() => setTitle(""));
  }, [productId]);

  return (
    <GenerateAction
      api={shopify}
      productIds={productId ? [productId] : []}
      summary={title ?? shopify.i18n.translate("loadingProduct")}
      progressLink={({ jobs }) => jobs[0] && appLink(jobs[0].url)}
    />
  );
}
