/**
 * The search a lookup page opens with (粉丝, 车主): what to search by, the value, and the API's
 * refusal of it (a 400 names the field) shown under the box.
 */
import { Form, Input, Radio } from 'antd';
import { ApiError } from '../api/client.ts';

export interface Search<By extends string> {
  by: By;
  value: string;
}

/** The API's 400 for the searched value, if that is what the query failed with. */
export function fieldErrorOf(error: unknown): ApiError | null {
  return error instanceof ApiError && error.status === 400 ? error : null;
}

export function SearchForm<By extends string>(props: {
  options: ReadonlyArray<{ value: By; label: string }>;
  label: string;
  placeholder: string;
  fieldError: ApiError | null;
  onSearch: (search: Search<By>) => void;
}) {
  const [form] = Form.useForm<Search<By>>();
  return (
    <Form
      form={form}
      layout="inline"
      initialValues={{ by: props.options[0]!.value, value: '' }}
      onFinish={(v) => props.onSearch({ by: v.by, value: v.value.trim() })}
    >
      <Form.Item name="by">
        <Radio.Group options={[...props.options]} />
      </Form.Item>
      <Form.Item
        name="value"
        validateStatus={props.fieldError ? 'error' : undefined}
        help={props.fieldError ? props.fieldError.problem.detail : undefined}
      >
        <Input.Search
          aria-label={props.label}
          placeholder={props.placeholder}
          enterButton="查找"
          onSearch={() => form.submit()}
          style={{ width: 360 }}
        />
      </Form.Item>
    </Form>
  );
}
