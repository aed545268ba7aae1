/**
 * Split a command line into words the way a POSIX shell does, without expansions:
 * blanks separate words; 'single quotes' keep everything literally; "double quotes" keep
 * blanks and honour \" \\ \$ \` escapes; a backslash outside quotes escapes the next
 * character. `python3 -u "/my app.py"` → ["python3", "-u", "/my app.py"].
 * Returns a reason string when a quote is not closed or the command ends in a backslash.
 */
export function splitCommand(command: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let isInWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < command.length; index += 1) {
    const char = command.charAt(index);
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && index + 1 < command.length && '"\\$`'.includes(command.charAt(index + 1))) {
        index += 1;
        word += command[index];
      } else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      isInWord = true;
    } else if (char === '\\') {
      if (index + 1 >= command.length) return 'ends with a lone backslash';
      index += 1;
      word += command[index];
      isInWord = true;
    } else if (char === ' ' || char === '\t' || char === '\n') {
      if (isInWord) words.push(word);
      word = '';
      isInWord = false;
    } else {
      word += char;
      isInWord = true;
    }
  }
  if (quote !== undefined) return `the ${quote === "'" ? 'single' : 'double'} quote is not closed`;
  if (isInWord) words.push(word);
  return words;
}
