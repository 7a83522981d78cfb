# Completes command lines as bash does on TAB, through the generated script's own function: sources
# the script given as $1, checks that it registered a completion for jdm (complete -p), then reads
# one command line per line of stdin (words separated by spaces; a trailing space means the word
# being completed is empty) and prints "### LINE" followed by bash's candidates, one per line.
set -u
source "$1"
complete -p jdm >/dev/null || { echo "the script registers no completion for jdm" >&2; exit 3; }
fn=$(complete -p jdm | sed -n 's/.*-F \([^ ]*\).*/\1/p')
while IFS= read -r line; do
  read -r -a COMP_WORDS <<< "$line"
  [[ "$line" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_LINE="$line"
  COMP_POINT=${#line}
  COMPREPLY=()
  prev=""
  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
  "$fn" jdm "${COMP_WORDS[COMP_CWORD]}" "$prev" 2>/dev/null
  printf "### %s\n" "$line"
  for c in "${COMPREPLY[@]}"; do printf "%s\n" "$c"; done
done
