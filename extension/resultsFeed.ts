/**
 * Feeds the results panel (resultsPanel.ts, a webview panel with its own protocol) from the run controller:
 * a run that starts, or fails before starting, shows the panel; every state and progress report goes to it;
 * the panel's requests (rerun, cancel, reveal, heat-map) go back to the controller. After a window reload VS
 * Code revives the panel through the serializer with the same handlers.
 */
import * as vscode from 'vscode';
import type { GradcheckController } from './gradcheck';
import { type PanelHandlers, ResultsPanel } from './resultsPanel';

export class ResultsFeed implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  readonly handlers: PanelHandlers;

  constructor(extensionUri: vscode.Uri, gradcheck: GradcheckController) {
    this.handlers = {
      rerun: (settings) => {
        const file = gradcheck.state?.file;
        void gradcheck.run({ ...(file && { uri: file }), settings });
      },
      cancel: () => gradcheck.cancel(),
      reveal: (layer) => void gradcheck.reveal(layer),
      heatmap: (layer, sample, channel) => gradcheck.heatmap(layer, sample, channel),
    };
    this.subscriptions = [
      ResultsPanel.registerSerializer(extensionUri, () => this.handlers),
      gradcheck.onDidChangeState((state) => {
        const panel =
          state.status === 'running' || !ResultsPanel.current
            ? ResultsPanel.show(extensionUri, this.handlers)
            : ResultsPanel.current;
        panel.setState(state);
      }),
      gradcheck.onDidProgress((p) => ResultsPanel.current?.progress(p)),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
