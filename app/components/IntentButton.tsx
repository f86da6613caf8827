import { Form } from "@remix-run/react";
import { Button, type ButtonProps } from "@shopify/polaris";

/**
 * One action of a page's multi-intent `action`: a POST form with `intent` (and any ids it acts on) as
 * hidden fields, sent by a Polaris button. The route's action dispatches on `intent`.
 */
export function IntentButton({
  intent,
  outputIds = [],
  children,
  ...button
}: { intent: string; outputIds?: string[] } & Omit<ButtonProps, "submit">) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      {outputIds.map((id) => (
        <input key={id} type="hidden" name="outputId" value={id} />
      ))}
      <Button submit {...button}>
        {children}
      </Button>
    </Form>
  );
}
