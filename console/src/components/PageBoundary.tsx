/** A page that throws (or whose code cannot load) shows what happened and a way out, never a blank screen. */
import { Alert, Button } from 'antd';
import { Component, type ReactNode } from 'react';

export class PageBoundary extends Component<{ children: ReactNode; page: string }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override componentDidUpdate(prev: { page: string }) {
    if (prev.page !== this.props.page && this.state.error) this.setState({ error: null });
  }
  override render() {
    if (!this.state.error) return this.props.children;
    const offline = /dynamically imported module|Failed to fetch|Importing a module script failed/i.test(
      this.state.error.message,
    );
    return (
      <Alert
        role="alert"
        type="error"
        showIcon
        message={offline ? '页面代码无法加载：网络或服务暂时不可用' : '这个页面出错了'}
        description={offline ? '请稍后重新加载。' : '错误已记录在浏览器控制台；重新加载通常可以恢复。'}
        action={<Button onClick={() => window.location.reload()}>重新加载</Button>}
      />
    );
  }
}
