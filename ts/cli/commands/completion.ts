// nic-offload completion: the bash completion script, and the words it asks this program for
// (commands, a command's options, interfaces and feature names of the running kernel).
import { parseArgs } from '../args';
import type { CliIO, Command } from '../command';
import { commandWords, featureWords, interfaceWords, optionWords } from '../completion-words';
import { UsageError } from '../report-error';

const HELP = `Usage: nic-offload completion bash
       nic-offload completion words commands|options CMD|interfaces|features IFACE [--netns NAME]

Prints a bash completion script: commands, options, interface names and the feature names of
the running kernel complete (and on/off after a feature name). Install it with
  nic-offload completion bash > /etc/bash_completion.d/nic-offload
or for one shell with
  source <(nic-offload completion bash)
"completion words" prints the words the script offers, one per line.

Examples:
  nic-offload completion bash > ~/.local/share/bash-completion/completions/nic-offload
  nic-offload completion words features eth0
`;

// Words are looked up when TAB is pressed: interfaces and features from the kernel (in the
// namespace a --netns on the line names), options from the command's help.
const BASH = `# bash completion for nic-offload (nic-offload completion bash)
_nic_offload() {
  local cur prev cmd i netns=() args=()
  cur=\${COMP_WORDS[COMP_CWORD]}
  prev=\${COMP_WORDS[COMP_CWORD-1]}
  cmd=\${COMP_WORDS[1]}
  for ((i = 2; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      --netns) netns=(--netns "\${COMP_WORDS[i+1]}"); ((i++)) ;;
      --root|--backend|--log|--kmsg) ((i++)) ;;
      -*) ;;
      *) args+=("\${COMP_WORDS[i]}") ;;
    esac
  done
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W "$(nic-offload completion words commands 2>/dev/null)" -- "$cur"))
    return
  fi
  case $prev in
    --netns) COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | cut -d' ' -f1)" -- "$cur")); return ;;
    --backend) COMPREPLY=($(compgen -W "auto networkmanager ifupdown systemd-link udev" -- "$cur")); return ;;
    --root|--log|--kmsg) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(nic-offload completion words options -- "$cmd" 2>/dev/null)" -- "$cur"))
    return
  fi
  case $cmd in
    help) ((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W "$(nic-offload completion words commands 2>/dev/null)" -- "$cur")) ;;
    show|-k|--show-features|--show-offload|info|-i|--driver|guard|persisted|reapply)
      COMPREPLY=($(compgen -W "$(nic-offload completion words interfaces "\${netns[@]}" 2>/dev/null)" -- "$cur")) ;;
    set|-K|--features|--offload|persist|unpersist)
      if ((\${#args[@]} == 0)); then
        COMPREPLY=($(compgen -W "$(nic-offload completion words interfaces "\${netns[@]}" 2>/dev/null)" -- "$cur"))
      elif [[ $cmd != unpersist ]] && ((\${#args[@]} % 2 == 0)); then
        COMPREPLY=($(compgen -W "on off" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$(nic-offload completion words features "\${args[0]}" "\${netns[@]}" 2>/dev/null)" -- "$cur"))
      fi ;;
  esac
}
complete -F _nic_offload nic-offload
`;

function run(argv: string[], io: CliIO): number {
  const args = parseArgs('completion', argv, { options: ['netns'] });
  const [what, ...rest] = args.positionals;
  if (what === 'bash' && rest.length === 0) {
    io.out(BASH);
    return 0;
  }
  if (what !== 'words') throw new UsageError('completion: give "bash", or "words commands|options CMD|interfaces|features IFACE"');
  const netns = args.options.get('netns');
  const [kind, arg] = rest;
  let words: string[];
  if (kind === 'commands' && arg === undefined) words = commandWords();
  else if (kind === 'options' && arg !== undefined) words = optionWords(arg);
  else if (kind === 'interfaces' && arg === undefined) words = interfaceWords(netns);
  else if (kind === 'features' && arg !== undefined) words = featureWords(arg, netns);
  else throw new UsageError('completion: words takes commands, options CMD, interfaces or features IFACE');
  io.out(words.map((w) => `${w}\n`).join(''));
  return 0;
}

const command: Command = { name: 'completion', summary: 'print the bash completion script', help: HELP, run };
// Loaded by name through cli/registry.ts.
// ts-unused-exports:disable-next-line
export default command;
