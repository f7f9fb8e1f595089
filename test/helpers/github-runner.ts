/**
 * What the GitHub Actions runner makes of a step's log lines, per its documented workflow-command
 * rules (https://docs.github.com/actions/reference/workflow-commands-for-github-actions) and its
 * ActionCommandManager: `::name props::data` at the start of a line (leading spaces ignored),
 * the legacy `##[name props]data` anywhere in a line, `::stop-commands::TOKEN` pausing all of them
 * until a `::TOKEN::` line, and `::add-mask::` masking its (unescaped) value in every later line.
 */
export interface RunnerCommand {
  name: string;
  props: string;
  data: string;
}

export interface RunnerView {
  /** Commands the runner acted on (pause and resume included). */
  commands: RunnerCommand[];
  /** Values masked with ::add-mask::. */
  masks: string[];
  /** The log as shown: masked, acted-on commands removed except `::group::…` / `::endgroup::`. */
  lines: string[];
}

const V1_COMMANDS = new Set(['warning', 'error', 'debug', 'notice', 'group', 'endgroup', 'command', 'section']);

export function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function parse(line: string): RunnerCommand | null {
  const trimmed = line.trimStart();
  const v2 = /^::([^\s:]+)( [^:]*)?::(.*)$/.exec(trimmed);
  if (v2) return { name: v2[1] ?? '', props: (v2[2] ?? '').trim(), data: unescapeData(v2[3] ?? '') };
  const at = line.indexOf('##[');
  if (at === -1) return null;
  const v1 = /^##\[([a-z-]+)( [^\]]*)?\](.*)$/.exec(line.slice(at));
  if (!v1 || !V1_COMMANDS.has(v1[1] ?? '')) return null;
  return { name: v1[1] ?? '', props: (v1[2] ?? '').trim(), data: v1[3] ?? '' };
}

export function runnerView(log: string): RunnerView {
  const view: RunnerView = { commands: [], masks: [], lines: [] };
  let stopToken: string | null = null;
  const mask = (line: string) => view.masks.reduce((text, value) => text.split(value).join('***'), line);
  for (const line of log.split('\n')) {
    const command = parse(line);
    if (command && stopToken !== null) {
      if (command.name === stopToken) {
        stopToken = null;
        view.commands.push(command);
        continue;
      }
    } else if (command) {
      view.commands.push(command);
      if (command.name === 'stop-commands') stopToken = command.data;
      else if (command.name === 'add-mask') {
        if (command.data !== '') view.masks.push(command.data);
      } else if (command.name === 'group' || command.name === 'endgroup') view.lines.push(mask(`::${command.name}::${command.data}`));
      continue;
    }
    view.lines.push(mask(line));
  }
  return view;
}
