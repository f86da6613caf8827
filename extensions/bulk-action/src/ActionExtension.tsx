import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { GenerateAction } from "../../shared/GenerateAction";
import { appLink } from "../../shared/generate";

export default async () => {
  render(<Extension />, document.body);
};

function Extension() {
  const productIds = shopify.data.selected.map(({ id }) => id);
  return (
    <GenerateAction
      api={shopify}
      productIds={productIds}
      summary={shopify.i18n.translate("selected", { count: productIds.length })}
      // A batch has its own progress page; a lone product may come back as a job without one.
      progressLink={({ batchId, jobs }) => (batchId ? appLink(`/app/batches/${batchId}`) : jobs[0] && appLink(jobs[0].url))}
    />
  );
}
