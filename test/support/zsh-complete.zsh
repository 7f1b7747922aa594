# zsh -f zsh-complete.zsh FPATH_DIR LINE: prints, one a line, the candidates zsh's own completion
# system (compinit, with the _anymesh found on FPATH_DIR) offers at the end of LINE. An interactive
# zsh runs in a pseudo-terminal (zsh/zpty); a compadd wrapper prints what each call adds, marked
# with \x02 so the terminal's echo of the typed line is never taken for a candidate, and the Tab
# widget prints \x03 when completion is over.
zmodload zsh/zpty
local line
zpty z zsh -f -i
zpty -w z "PROMPT='' RPROMPT='' TERM=dumb LISTMAX=100000; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -d /dev/null"
zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
zpty -w z 'compadd() { local -a __h; builtin compadd -O __h "$@"; (( $#__h )) && print -rl -- $'"'\\x02'"'${^__h}; builtin compadd "$@"; }'
zpty -w z '__widget() { zle complete-word; print -r -- $'"'\\x03'"'; }; zle -N __widget; bindkey "^I" __widget'
# Typeahead sent while zle starts can be dropped: wait until the set-up has run, then type.
zpty -w z 'print -r -- $'"'\\x04'"
zpty -r -m z line $'*\x04*'
zpty -n -w z "$2"$'\t'
while zpty -r z line; do
  [[ $line == *$'\x03'* ]] && break
  [[ $line == *$'\x02'* ]] && print -r -- ${line##*$'\x02'}
done
zpty -d z
