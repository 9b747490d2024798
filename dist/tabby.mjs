import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b2) => (typeof require !== "undefined" ? require : a)[b2]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __esm = (fn, res, err2) => function __init() {
  if (err2) throw err2[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err2 = [e], e;
  }
};
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// node_modules/commander/lib/error.js
var require_error = __commonJS({
  "node_modules/commander/lib/error.js"(exports) {
    var CommanderError2 = class extends Error {
      /**
       * Constructs the CommanderError class
       * @param {number} exitCode suggested exit code which could be used with process.exit
       * @param {string} code an id string representing the error
       * @param {string} message human-readable description of the error
       */
      constructor(exitCode, code, message) {
        super(message);
        Error.captureStackTrace(this, this.constructor);
        this.name = this.constructor.name;
        this.code = code;
        this.exitCode = exitCode;
        this.nestedError = void 0;
      }
    };
    var InvalidArgumentError2 = class extends CommanderError2 {
      /**
       * Constructs the InvalidArgumentError class
       * @param {string} [message] explanation of why argument is invalid
       */
      constructor(message) {
        super(1, "commander.invalidArgument", message);
        Error.captureStackTrace(this, this.constructor);
        this.name = this.constructor.name;
      }
    };
    exports.CommanderError = CommanderError2;
    exports.InvalidArgumentError = InvalidArgumentError2;
  }
});

// node_modules/commander/lib/argument.js
var require_argument = __commonJS({
  "node_modules/commander/lib/argument.js"(exports) {
    var { InvalidArgumentError: InvalidArgumentError2 } = require_error();
    var Argument2 = class {
      /**
       * Initialize a new command argument with the given name and description.
       * The default is that the argument is required, and you can explicitly
       * indicate this with <> around the name. Put [] around the name for an optional argument.
       *
       * @param {string} name
       * @param {string} [description]
       */
      constructor(name, description) {
        this.description = description || "";
        this.variadic = false;
        this.parseArg = void 0;
        this.defaultValue = void 0;
        this.defaultValueDescription = void 0;
        this.argChoices = void 0;
        switch (name[0]) {
          case "<":
            this.required = true;
            this._name = name.slice(1, -1);
            break;
          case "[":
            this.required = false;
            this._name = name.slice(1, -1);
            break;
          default:
            this.required = true;
            this._name = name;
            break;
        }
        if (this._name.length > 3 && this._name.slice(-3) === "...") {
          this.variadic = true;
          this._name = this._name.slice(0, -3);
        }
      }
      /**
       * Return argument name.
       *
       * @return {string}
       */
      name() {
        return this._name;
      }
      /**
       * @package
       */
      _concatValue(value, previous) {
        if (previous === this.defaultValue || !Array.isArray(previous)) {
          return [value];
        }
        return previous.concat(value);
      }
      /**
       * Set the default value, and optionally supply the description to be displayed in the help.
       *
       * @param {*} value
       * @param {string} [description]
       * @return {Argument}
       */
      default(value, description) {
        this.defaultValue = value;
        this.defaultValueDescription = description;
        return this;
      }
      /**
       * Set the custom handler for processing CLI command arguments into argument values.
       *
       * @param {Function} [fn]
       * @return {Argument}
       */
      argParser(fn) {
        this.parseArg = fn;
        return this;
      }
      /**
       * Only allow argument value to be one of choices.
       *
       * @param {string[]} values
       * @return {Argument}
       */
      choices(values) {
        this.argChoices = values.slice();
        this.parseArg = (arg, previous) => {
          if (!this.argChoices.includes(arg)) {
            throw new InvalidArgumentError2(
              `Allowed choices are ${this.argChoices.join(", ")}.`
            );
          }
          if (this.variadic) {
            return this._concatValue(arg, previous);
          }
          return arg;
        };
        return this;
      }
      /**
       * Make argument required.
       *
       * @returns {Argument}
       */
      argRequired() {
        this.required = true;
        return this;
      }
      /**
       * Make argument optional.
       *
       * @returns {Argument}
       */
      argOptional() {
        this.required = false;
        return this;
      }
    };
    function humanReadableArgName(arg) {
      const nameOutput = arg.name() + (arg.variadic === true ? "..." : "");
      return arg.required ? "<" + nameOutput + ">" : "[" + nameOutput + "]";
    }
    exports.Argument = Argument2;
    exports.humanReadableArgName = humanReadableArgName;
  }
});

// node_modules/commander/lib/help.js
var require_help = __commonJS({
  "node_modules/commander/lib/help.js"(exports) {
    var { humanReadableArgName } = require_argument();
    var Help2 = class {
      constructor() {
        this.helpWidth = void 0;
        this.minWidthToWrap = 40;
        this.sortSubcommands = false;
        this.sortOptions = false;
        this.showGlobalOptions = false;
      }
      /**
       * prepareContext is called by Commander after applying overrides from `Command.configureHelp()`
       * and just before calling `formatHelp()`.
       *
       * Commander just uses the helpWidth and the rest is provided for optional use by more complex subclasses.
       *
       * @param {{ error?: boolean, helpWidth?: number, outputHasColors?: boolean }} contextOptions
       */
      prepareContext(contextOptions) {
        this.helpWidth = this.helpWidth ?? contextOptions.helpWidth ?? 80;
      }
      /**
       * Get an array of the visible subcommands. Includes a placeholder for the implicit help command, if there is one.
       *
       * @param {Command} cmd
       * @returns {Command[]}
       */
      visibleCommands(cmd) {
        const visibleCommands = cmd.commands.filter((cmd2) => !cmd2._hidden);
        const helpCommand = cmd._getHelpCommand();
        if (helpCommand && !helpCommand._hidden) {
          visibleCommands.push(helpCommand);
        }
        if (this.sortSubcommands) {
          visibleCommands.sort((a, b2) => {
            return a.name().localeCompare(b2.name());
          });
        }
        return visibleCommands;
      }
      /**
       * Compare options for sort.
       *
       * @param {Option} a
       * @param {Option} b
       * @returns {number}
       */
      compareOptions(a, b2) {
        const getSortKey = (option) => {
          return option.short ? option.short.replace(/^-/, "") : option.long.replace(/^--/, "");
        };
        return getSortKey(a).localeCompare(getSortKey(b2));
      }
      /**
       * Get an array of the visible options. Includes a placeholder for the implicit help option, if there is one.
       *
       * @param {Command} cmd
       * @returns {Option[]}
       */
      visibleOptions(cmd) {
        const visibleOptions = cmd.options.filter((option) => !option.hidden);
        const helpOption = cmd._getHelpOption();
        if (helpOption && !helpOption.hidden) {
          const removeShort = helpOption.short && cmd._findOption(helpOption.short);
          const removeLong = helpOption.long && cmd._findOption(helpOption.long);
          if (!removeShort && !removeLong) {
            visibleOptions.push(helpOption);
          } else if (helpOption.long && !removeLong) {
            visibleOptions.push(
              cmd.createOption(helpOption.long, helpOption.description)
            );
          } else if (helpOption.short && !removeShort) {
            visibleOptions.push(
              cmd.createOption(helpOption.short, helpOption.description)
            );
          }
        }
        if (this.sortOptions) {
          visibleOptions.sort(this.compareOptions);
        }
        return visibleOptions;
      }
      /**
       * Get an array of the visible global options. (Not including help.)
       *
       * @param {Command} cmd
       * @returns {Option[]}
       */
      visibleGlobalOptions(cmd) {
        if (!this.showGlobalOptions) return [];
        const globalOptions = [];
        for (let ancestorCmd = cmd.parent; ancestorCmd; ancestorCmd = ancestorCmd.parent) {
          const visibleOptions = ancestorCmd.options.filter(
            (option) => !option.hidden
          );
          globalOptions.push(...visibleOptions);
        }
        if (this.sortOptions) {
          globalOptions.sort(this.compareOptions);
        }
        return globalOptions;
      }
      /**
       * Get an array of the arguments if any have a description.
       *
       * @param {Command} cmd
       * @returns {Argument[]}
       */
      visibleArguments(cmd) {
        if (cmd._argsDescription) {
          cmd.registeredArguments.forEach((argument) => {
            argument.description = argument.description || cmd._argsDescription[argument.name()] || "";
          });
        }
        if (cmd.registeredArguments.find((argument) => argument.description)) {
          return cmd.registeredArguments;
        }
        return [];
      }
      /**
       * Get the command term to show in the list of subcommands.
       *
       * @param {Command} cmd
       * @returns {string}
       */
      subcommandTerm(cmd) {
        const args = cmd.registeredArguments.map((arg) => humanReadableArgName(arg)).join(" ");
        return cmd._name + (cmd._aliases[0] ? "|" + cmd._aliases[0] : "") + (cmd.options.length ? " [options]" : "") + // simplistic check for non-help option
        (args ? " " + args : "");
      }
      /**
       * Get the option term to show in the list of options.
       *
       * @param {Option} option
       * @returns {string}
       */
      optionTerm(option) {
        return option.flags;
      }
      /**
       * Get the argument term to show in the list of arguments.
       *
       * @param {Argument} argument
       * @returns {string}
       */
      argumentTerm(argument) {
        return argument.name();
      }
      /**
       * Get the longest command term length.
       *
       * @param {Command} cmd
       * @param {Help} helper
       * @returns {number}
       */
      longestSubcommandTermLength(cmd, helper) {
        return helper.visibleCommands(cmd).reduce((max, command) => {
          return Math.max(
            max,
            this.displayWidth(
              helper.styleSubcommandTerm(helper.subcommandTerm(command))
            )
          );
        }, 0);
      }
      /**
       * Get the longest option term length.
       *
       * @param {Command} cmd
       * @param {Help} helper
       * @returns {number}
       */
      longestOptionTermLength(cmd, helper) {
        return helper.visibleOptions(cmd).reduce((max, option) => {
          return Math.max(
            max,
            this.displayWidth(helper.styleOptionTerm(helper.optionTerm(option)))
          );
        }, 0);
      }
      /**
       * Get the longest global option term length.
       *
       * @param {Command} cmd
       * @param {Help} helper
       * @returns {number}
       */
      longestGlobalOptionTermLength(cmd, helper) {
        return helper.visibleGlobalOptions(cmd).reduce((max, option) => {
          return Math.max(
            max,
            this.displayWidth(helper.styleOptionTerm(helper.optionTerm(option)))
          );
        }, 0);
      }
      /**
       * Get the longest argument term length.
       *
       * @param {Command} cmd
       * @param {Help} helper
       * @returns {number}
       */
      longestArgumentTermLength(cmd, helper) {
        return helper.visibleArguments(cmd).reduce((max, argument) => {
          return Math.max(
            max,
            this.displayWidth(
              helper.styleArgumentTerm(helper.argumentTerm(argument))
            )
          );
        }, 0);
      }
      /**
       * Get the command usage to be displayed at the top of the built-in help.
       *
       * @param {Command} cmd
       * @returns {string}
       */
      commandUsage(cmd) {
        let cmdName = cmd._name;
        if (cmd._aliases[0]) {
          cmdName = cmdName + "|" + cmd._aliases[0];
        }
        let ancestorCmdNames = "";
        for (let ancestorCmd = cmd.parent; ancestorCmd; ancestorCmd = ancestorCmd.parent) {
          ancestorCmdNames = ancestorCmd.name() + " " + ancestorCmdNames;
        }
        return ancestorCmdNames + cmdName + " " + cmd.usage();
      }
      /**
       * Get the description for the command.
       *
       * @param {Command} cmd
       * @returns {string}
       */
      commandDescription(cmd) {
        return cmd.description();
      }
      /**
       * Get the subcommand summary to show in the list of subcommands.
       * (Fallback to description for backwards compatibility.)
       *
       * @param {Command} cmd
       * @returns {string}
       */
      subcommandDescription(cmd) {
        return cmd.summary() || cmd.description();
      }
      /**
       * Get the option description to show in the list of options.
       *
       * @param {Option} option
       * @return {string}
       */
      optionDescription(option) {
        const extraInfo = [];
        if (option.argChoices) {
          extraInfo.push(
            // use stringify to match the display of the default value
            `choices: ${option.argChoices.map((choice) => JSON.stringify(choice)).join(", ")}`
          );
        }
        if (option.defaultValue !== void 0) {
          const showDefault = option.required || option.optional || option.isBoolean() && typeof option.defaultValue === "boolean";
          if (showDefault) {
            extraInfo.push(
              `default: ${option.defaultValueDescription || JSON.stringify(option.defaultValue)}`
            );
          }
        }
        if (option.presetArg !== void 0 && option.optional) {
          extraInfo.push(`preset: ${JSON.stringify(option.presetArg)}`);
        }
        if (option.envVar !== void 0) {
          extraInfo.push(`env: ${option.envVar}`);
        }
        if (extraInfo.length > 0) {
          return `${option.description} (${extraInfo.join(", ")})`;
        }
        return option.description;
      }
      /**
       * Get the argument description to show in the list of arguments.
       *
       * @param {Argument} argument
       * @return {string}
       */
      argumentDescription(argument) {
        const extraInfo = [];
        if (argument.argChoices) {
          extraInfo.push(
            // use stringify to match the display of the default value
            `choices: ${argument.argChoices.map((choice) => JSON.stringify(choice)).join(", ")}`
          );
        }
        if (argument.defaultValue !== void 0) {
          extraInfo.push(
            `default: ${argument.defaultValueDescription || JSON.stringify(argument.defaultValue)}`
          );
        }
        if (extraInfo.length > 0) {
          const extraDescription = `(${extraInfo.join(", ")})`;
          if (argument.description) {
            return `${argument.description} ${extraDescription}`;
          }
          return extraDescription;
        }
        return argument.description;
      }
      /**
       * Generate the built-in help text.
       *
       * @param {Command} cmd
       * @param {Help} helper
       * @returns {string}
       */
      formatHelp(cmd, helper) {
        const termWidth = helper.padWidth(cmd, helper);
        const helpWidth = helper.helpWidth ?? 80;
        function callFormatItem(term, description) {
          return helper.formatItem(term, termWidth, description, helper);
        }
        let output = [
          `${helper.styleTitle("Usage:")} ${helper.styleUsage(helper.commandUsage(cmd))}`,
          ""
        ];
        const commandDescription = helper.commandDescription(cmd);
        if (commandDescription.length > 0) {
          output = output.concat([
            helper.boxWrap(
              helper.styleCommandDescription(commandDescription),
              helpWidth
            ),
            ""
          ]);
        }
        const argumentList = helper.visibleArguments(cmd).map((argument) => {
          return callFormatItem(
            helper.styleArgumentTerm(helper.argumentTerm(argument)),
            helper.styleArgumentDescription(helper.argumentDescription(argument))
          );
        });
        if (argumentList.length > 0) {
          output = output.concat([
            helper.styleTitle("Arguments:"),
            ...argumentList,
            ""
          ]);
        }
        const optionList = helper.visibleOptions(cmd).map((option) => {
          return callFormatItem(
            helper.styleOptionTerm(helper.optionTerm(option)),
            helper.styleOptionDescription(helper.optionDescription(option))
          );
        });
        if (optionList.length > 0) {
          output = output.concat([
            helper.styleTitle("Options:"),
            ...optionList,
            ""
          ]);
        }
        if (helper.showGlobalOptions) {
          const globalOptionList = helper.visibleGlobalOptions(cmd).map((option) => {
            return callFormatItem(
              helper.styleOptionTerm(helper.optionTerm(option)),
              helper.styleOptionDescription(helper.optionDescription(option))
            );
          });
          if (globalOptionList.length > 0) {
            output = output.concat([
              helper.styleTitle("Global Options:"),
              ...globalOptionList,
              ""
            ]);
          }
        }
        const commandList = helper.visibleCommands(cmd).map((cmd2) => {
          return callFormatItem(
            helper.styleSubcommandTerm(helper.subcommandTerm(cmd2)),
            helper.styleSubcommandDescription(helper.subcommandDescription(cmd2))
          );
        });
        if (commandList.length > 0) {
          output = output.concat([
            helper.styleTitle("Commands:"),
            ...commandList,
            ""
          ]);
        }
        return output.join("\n");
      }
      /**
       * Return display width of string, ignoring ANSI escape sequences. Used in padding and wrapping calculations.
       *
       * @param {string} str
       * @returns {number}
       */
      displayWidth(str2) {
        return stripColor(str2).length;
      }
      /**
       * Style the title for displaying in the help. Called with 'Usage:', 'Options:', etc.
       *
       * @param {string} str
       * @returns {string}
       */
      styleTitle(str2) {
        return str2;
      }
      styleUsage(str2) {
        return str2.split(" ").map((word) => {
          if (word === "[options]") return this.styleOptionText(word);
          if (word === "[command]") return this.styleSubcommandText(word);
          if (word[0] === "[" || word[0] === "<")
            return this.styleArgumentText(word);
          return this.styleCommandText(word);
        }).join(" ");
      }
      styleCommandDescription(str2) {
        return this.styleDescriptionText(str2);
      }
      styleOptionDescription(str2) {
        return this.styleDescriptionText(str2);
      }
      styleSubcommandDescription(str2) {
        return this.styleDescriptionText(str2);
      }
      styleArgumentDescription(str2) {
        return this.styleDescriptionText(str2);
      }
      styleDescriptionText(str2) {
        return str2;
      }
      styleOptionTerm(str2) {
        return this.styleOptionText(str2);
      }
      styleSubcommandTerm(str2) {
        return str2.split(" ").map((word) => {
          if (word === "[options]") return this.styleOptionText(word);
          if (word[0] === "[" || word[0] === "<")
            return this.styleArgumentText(word);
          return this.styleSubcommandText(word);
        }).join(" ");
      }
      styleArgumentTerm(str2) {
        return this.styleArgumentText(str2);
      }
      styleOptionText(str2) {
        return str2;
      }
      styleArgumentText(str2) {
        return str2;
      }
      styleSubcommandText(str2) {
        return str2;
      }
      styleCommandText(str2) {
        return str2;
      }
      /**
       * Calculate the pad width from the maximum term length.
       *
       * @param {Command} cmd
       * @param {Help} helper
       * @returns {number}
       */
      padWidth(cmd, helper) {
        return Math.max(
          helper.longestOptionTermLength(cmd, helper),
          helper.longestGlobalOptionTermLength(cmd, helper),
          helper.longestSubcommandTermLength(cmd, helper),
          helper.longestArgumentTermLength(cmd, helper)
        );
      }
      /**
       * Detect manually wrapped and indented strings by checking for line break followed by whitespace.
       *
       * @param {string} str
       * @returns {boolean}
       */
      preformatted(str2) {
        return /\n[^\S\r\n]/.test(str2);
      }
      /**
       * Format the "item", which consists of a term and description. Pad the term and wrap the description, indenting the following lines.
       *
       * So "TTT", 5, "DDD DDDD DD DDD" might be formatted for this.helpWidth=17 like so:
       *   TTT  DDD DDDD
       *        DD DDD
       *
       * @param {string} term
       * @param {number} termWidth
       * @param {string} description
       * @param {Help} helper
       * @returns {string}
       */
      formatItem(term, termWidth, description, helper) {
        const itemIndent = 2;
        const itemIndentStr = " ".repeat(itemIndent);
        if (!description) return itemIndentStr + term;
        const paddedTerm = term.padEnd(
          termWidth + term.length - helper.displayWidth(term)
        );
        const spacerWidth = 2;
        const helpWidth = this.helpWidth ?? 80;
        const remainingWidth = helpWidth - termWidth - spacerWidth - itemIndent;
        let formattedDescription;
        if (remainingWidth < this.minWidthToWrap || helper.preformatted(description)) {
          formattedDescription = description;
        } else {
          const wrappedDescription = helper.boxWrap(description, remainingWidth);
          formattedDescription = wrappedDescription.replace(
            /\n/g,
            "\n" + " ".repeat(termWidth + spacerWidth)
          );
        }
        return itemIndentStr + paddedTerm + " ".repeat(spacerWidth) + formattedDescription.replace(/\n/g, `
${itemIndentStr}`);
      }
      /**
       * Wrap a string at whitespace, preserving existing line breaks.
       * Wrapping is skipped if the width is less than `minWidthToWrap`.
       *
       * @param {string} str
       * @param {number} width
       * @returns {string}
       */
      boxWrap(str2, width) {
        if (width < this.minWidthToWrap) return str2;
        const rawLines = str2.split(/\r\n|\n/);
        const chunkPattern = /[\s]*[^\s]+/g;
        const wrappedLines = [];
        rawLines.forEach((line) => {
          const chunks = line.match(chunkPattern);
          if (chunks === null) {
            wrappedLines.push("");
            return;
          }
          let sumChunks = [chunks.shift()];
          let sumWidth = this.displayWidth(sumChunks[0]);
          chunks.forEach((chunk) => {
            const visibleWidth = this.displayWidth(chunk);
            if (sumWidth + visibleWidth <= width) {
              sumChunks.push(chunk);
              sumWidth += visibleWidth;
              return;
            }
            wrappedLines.push(sumChunks.join(""));
            const nextChunk = chunk.trimStart();
            sumChunks = [nextChunk];
            sumWidth = this.displayWidth(nextChunk);
          });
          wrappedLines.push(sumChunks.join(""));
        });
        return wrappedLines.join("\n");
      }
    };
    function stripColor(str2) {
      const sgrPattern = /\x1b\[\d*(;\d*)*m/g;
      return str2.replace(sgrPattern, "");
    }
    exports.Help = Help2;
    exports.stripColor = stripColor;
  }
});

// node_modules/commander/lib/option.js
var require_option = __commonJS({
  "node_modules/commander/lib/option.js"(exports) {
    var { InvalidArgumentError: InvalidArgumentError2 } = require_error();
    var Option2 = class {
      /**
       * Initialize a new `Option` with the given `flags` and `description`.
       *
       * @param {string} flags
       * @param {string} [description]
       */
      constructor(flags, description) {
        this.flags = flags;
        this.description = description || "";
        this.required = flags.includes("<");
        this.optional = flags.includes("[");
        this.variadic = /\w\.\.\.[>\]]$/.test(flags);
        this.mandatory = false;
        const optionFlags = splitOptionFlags(flags);
        this.short = optionFlags.shortFlag;
        this.long = optionFlags.longFlag;
        this.negate = false;
        if (this.long) {
          this.negate = this.long.startsWith("--no-");
        }
        this.defaultValue = void 0;
        this.defaultValueDescription = void 0;
        this.presetArg = void 0;
        this.envVar = void 0;
        this.parseArg = void 0;
        this.hidden = false;
        this.argChoices = void 0;
        this.conflictsWith = [];
        this.implied = void 0;
      }
      /**
       * Set the default value, and optionally supply the description to be displayed in the help.
       *
       * @param {*} value
       * @param {string} [description]
       * @return {Option}
       */
      default(value, description) {
        this.defaultValue = value;
        this.defaultValueDescription = description;
        return this;
      }
      /**
       * Preset to use when option used without option-argument, especially optional but also boolean and negated.
       * The custom processing (parseArg) is called.
       *
       * @example
       * new Option('--color').default('GREYSCALE').preset('RGB');
       * new Option('--donate [amount]').preset('20').argParser(parseFloat);
       *
       * @param {*} arg
       * @return {Option}
       */
      preset(arg) {
        this.presetArg = arg;
        return this;
      }
      /**
       * Add option name(s) that conflict with this option.
       * An error will be displayed if conflicting options are found during parsing.
       *
       * @example
       * new Option('--rgb').conflicts('cmyk');
       * new Option('--js').conflicts(['ts', 'jsx']);
       *
       * @param {(string | string[])} names
       * @return {Option}
       */
      conflicts(names) {
        this.conflictsWith = this.conflictsWith.concat(names);
        return this;
      }
      /**
       * Specify implied option values for when this option is set and the implied options are not.
       *
       * The custom processing (parseArg) is not called on the implied values.
       *
       * @example
       * program
       *   .addOption(new Option('--log', 'write logging information to file'))
       *   .addOption(new Option('--trace', 'log extra details').implies({ log: 'trace.txt' }));
       *
       * @param {object} impliedOptionValues
       * @return {Option}
       */
      implies(impliedOptionValues) {
        let newImplied = impliedOptionValues;
        if (typeof impliedOptionValues === "string") {
          newImplied = { [impliedOptionValues]: true };
        }
        this.implied = Object.assign(this.implied || {}, newImplied);
        return this;
      }
      /**
       * Set environment variable to check for option value.
       *
       * An environment variable is only used if when processed the current option value is
       * undefined, or the source of the current value is 'default' or 'config' or 'env'.
       *
       * @param {string} name
       * @return {Option}
       */
      env(name) {
        this.envVar = name;
        return this;
      }
      /**
       * Set the custom handler for processing CLI option arguments into option values.
       *
       * @param {Function} [fn]
       * @return {Option}
       */
      argParser(fn) {
        this.parseArg = fn;
        return this;
      }
      /**
       * Whether the option is mandatory and must have a value after parsing.
       *
       * @param {boolean} [mandatory=true]
       * @return {Option}
       */
      makeOptionMandatory(mandatory = true) {
        this.mandatory = !!mandatory;
        return this;
      }
      /**
       * Hide option in help.
       *
       * @param {boolean} [hide=true]
       * @return {Option}
       */
      hideHelp(hide = true) {
        this.hidden = !!hide;
        return this;
      }
      /**
       * @package
       */
      _concatValue(value, previous) {
        if (previous === this.defaultValue || !Array.isArray(previous)) {
          return [value];
        }
        return previous.concat(value);
      }
      /**
       * Only allow option value to be one of choices.
       *
       * @param {string[]} values
       * @return {Option}
       */
      choices(values) {
        this.argChoices = values.slice();
        this.parseArg = (arg, previous) => {
          if (!this.argChoices.includes(arg)) {
            throw new InvalidArgumentError2(
              `Allowed choices are ${this.argChoices.join(", ")}.`
            );
          }
          if (this.variadic) {
            return this._concatValue(arg, previous);
          }
          return arg;
        };
        return this;
      }
      /**
       * Return option name.
       *
       * @return {string}
       */
      name() {
        if (this.long) {
          return this.long.replace(/^--/, "");
        }
        return this.short.replace(/^-/, "");
      }
      /**
       * Return option name, in a camelcase format that can be used
       * as an object attribute key.
       *
       * @return {string}
       */
      attributeName() {
        if (this.negate) {
          return camelcase(this.name().replace(/^no-/, ""));
        }
        return camelcase(this.name());
      }
      /**
       * Check if `arg` matches the short or long flag.
       *
       * @param {string} arg
       * @return {boolean}
       * @package
       */
      is(arg) {
        return this.short === arg || this.long === arg;
      }
      /**
       * Return whether a boolean option.
       *
       * Options are one of boolean, negated, required argument, or optional argument.
       *
       * @return {boolean}
       * @package
       */
      isBoolean() {
        return !this.required && !this.optional && !this.negate;
      }
    };
    var DualOptions = class {
      /**
       * @param {Option[]} options
       */
      constructor(options) {
        this.positiveOptions = /* @__PURE__ */ new Map();
        this.negativeOptions = /* @__PURE__ */ new Map();
        this.dualOptions = /* @__PURE__ */ new Set();
        options.forEach((option) => {
          if (option.negate) {
            this.negativeOptions.set(option.attributeName(), option);
          } else {
            this.positiveOptions.set(option.attributeName(), option);
          }
        });
        this.negativeOptions.forEach((value, key) => {
          if (this.positiveOptions.has(key)) {
            this.dualOptions.add(key);
          }
        });
      }
      /**
       * Did the value come from the option, and not from possible matching dual option?
       *
       * @param {*} value
       * @param {Option} option
       * @returns {boolean}
       */
      valueFromOption(value, option) {
        const optionKey = option.attributeName();
        if (!this.dualOptions.has(optionKey)) return true;
        const preset = this.negativeOptions.get(optionKey).presetArg;
        const negativeValue = preset !== void 0 ? preset : false;
        return option.negate === (negativeValue === value);
      }
    };
    function camelcase(str2) {
      return str2.split("-").reduce((str3, word) => {
        return str3 + word[0].toUpperCase() + word.slice(1);
      });
    }
    function splitOptionFlags(flags) {
      let shortFlag;
      let longFlag;
      const shortFlagExp = /^-[^-]$/;
      const longFlagExp = /^--[^-]/;
      const flagParts = flags.split(/[ |,]+/).concat("guard");
      if (shortFlagExp.test(flagParts[0])) shortFlag = flagParts.shift();
      if (longFlagExp.test(flagParts[0])) longFlag = flagParts.shift();
      if (!shortFlag && shortFlagExp.test(flagParts[0]))
        shortFlag = flagParts.shift();
      if (!shortFlag && longFlagExp.test(flagParts[0])) {
        shortFlag = longFlag;
        longFlag = flagParts.shift();
      }
      if (flagParts[0].startsWith("-")) {
        const unsupportedFlag = flagParts[0];
        const baseError = `option creation failed due to '${unsupportedFlag}' in option flags '${flags}'`;
        if (/^-[^-][^-]/.test(unsupportedFlag))
          throw new Error(
            `${baseError}
- a short flag is a single dash and a single character
  - either use a single dash and a single character (for a short flag)
  - or use a double dash for a long option (and can have two, like '--ws, --workspace')`
          );
        if (shortFlagExp.test(unsupportedFlag))
          throw new Error(`${baseError}
- too many short flags`);
        if (longFlagExp.test(unsupportedFlag))
          throw new Error(`${baseError}
- too many long flags`);
        throw new Error(`${baseError}
- unrecognised flag format`);
      }
      if (shortFlag === void 0 && longFlag === void 0)
        throw new Error(
          `option creation failed due to no flags found in '${flags}'.`
        );
      return { shortFlag, longFlag };
    }
    exports.Option = Option2;
    exports.DualOptions = DualOptions;
  }
});

// node_modules/commander/lib/suggestSimilar.js
var require_suggestSimilar = __commonJS({
  "node_modules/commander/lib/suggestSimilar.js"(exports) {
    var maxDistance = 3;
    function editDistance(a, b2) {
      if (Math.abs(a.length - b2.length) > maxDistance)
        return Math.max(a.length, b2.length);
      const d = [];
      for (let i = 0; i <= a.length; i++) {
        d[i] = [i];
      }
      for (let j = 0; j <= b2.length; j++) {
        d[0][j] = j;
      }
      for (let j = 1; j <= b2.length; j++) {
        for (let i = 1; i <= a.length; i++) {
          let cost = 1;
          if (a[i - 1] === b2[j - 1]) {
            cost = 0;
          } else {
            cost = 1;
          }
          d[i][j] = Math.min(
            d[i - 1][j] + 1,
            // deletion
            d[i][j - 1] + 1,
            // insertion
            d[i - 1][j - 1] + cost
            // substitution
          );
          if (i > 1 && j > 1 && a[i - 1] === b2[j - 2] && a[i - 2] === b2[j - 1]) {
            d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
          }
        }
      }
      return d[a.length][b2.length];
    }
    function suggestSimilar(word, candidates) {
      if (!candidates || candidates.length === 0) return "";
      candidates = Array.from(new Set(candidates));
      const searchingOptions = word.startsWith("--");
      if (searchingOptions) {
        word = word.slice(2);
        candidates = candidates.map((candidate) => candidate.slice(2));
      }
      let similar = [];
      let bestDistance = maxDistance;
      const minSimilarity = 0.4;
      candidates.forEach((candidate) => {
        if (candidate.length <= 1) return;
        const distance = editDistance(word, candidate);
        const length = Math.max(word.length, candidate.length);
        const similarity = (length - distance) / length;
        if (similarity > minSimilarity) {
          if (distance < bestDistance) {
            bestDistance = distance;
            similar = [candidate];
          } else if (distance === bestDistance) {
            similar.push(candidate);
          }
        }
      });
      similar.sort((a, b2) => a.localeCompare(b2));
      if (searchingOptions) {
        similar = similar.map((candidate) => `--${candidate}`);
      }
      if (similar.length > 1) {
        return `
(Did you mean one of ${similar.join(", ")}?)`;
      }
      if (similar.length === 1) {
        return `
(Did you mean ${similar[0]}?)`;
      }
      return "";
    }
    exports.suggestSimilar = suggestSimilar;
  }
});

// node_modules/commander/lib/command.js
var require_command = __commonJS({
  "node_modules/commander/lib/command.js"(exports) {
    var EventEmitter2 = __require("node:events").EventEmitter;
    var childProcess = __require("node:child_process");
    var path6 = __require("node:path");
    var fs8 = __require("node:fs");
    var process2 = __require("node:process");
    var { Argument: Argument2, humanReadableArgName } = require_argument();
    var { CommanderError: CommanderError2 } = require_error();
    var { Help: Help2, stripColor } = require_help();
    var { Option: Option2, DualOptions } = require_option();
    var { suggestSimilar } = require_suggestSimilar();
    var Command2 = class _Command extends EventEmitter2 {
      /**
       * Initialize a new `Command`.
       *
       * @param {string} [name]
       */
      constructor(name) {
        super();
        this.commands = [];
        this.options = [];
        this.parent = null;
        this._allowUnknownOption = false;
        this._allowExcessArguments = false;
        this.registeredArguments = [];
        this._args = this.registeredArguments;
        this.args = [];
        this.rawArgs = [];
        this.processedArgs = [];
        this._scriptPath = null;
        this._name = name || "";
        this._optionValues = {};
        this._optionValueSources = {};
        this._storeOptionsAsProperties = false;
        this._actionHandler = null;
        this._executableHandler = false;
        this._executableFile = null;
        this._executableDir = null;
        this._defaultCommandName = null;
        this._exitCallback = null;
        this._aliases = [];
        this._combineFlagAndOptionalValue = true;
        this._description = "";
        this._summary = "";
        this._argsDescription = void 0;
        this._enablePositionalOptions = false;
        this._passThroughOptions = false;
        this._lifeCycleHooks = {};
        this._showHelpAfterError = false;
        this._showSuggestionAfterError = true;
        this._savedState = null;
        this._outputConfiguration = {
          writeOut: (str2) => process2.stdout.write(str2),
          writeErr: (str2) => process2.stderr.write(str2),
          outputError: (str2, write) => write(str2),
          getOutHelpWidth: () => process2.stdout.isTTY ? process2.stdout.columns : void 0,
          getErrHelpWidth: () => process2.stderr.isTTY ? process2.stderr.columns : void 0,
          getOutHasColors: () => useColor() ?? (process2.stdout.isTTY && process2.stdout.hasColors?.()),
          getErrHasColors: () => useColor() ?? (process2.stderr.isTTY && process2.stderr.hasColors?.()),
          stripColor: (str2) => stripColor(str2)
        };
        this._hidden = false;
        this._helpOption = void 0;
        this._addImplicitHelpCommand = void 0;
        this._helpCommand = void 0;
        this._helpConfiguration = {};
      }
      /**
       * Copy settings that are useful to have in common across root command and subcommands.
       *
       * (Used internally when adding a command using `.command()` so subcommands inherit parent settings.)
       *
       * @param {Command} sourceCommand
       * @return {Command} `this` command for chaining
       */
      copyInheritedSettings(sourceCommand) {
        this._outputConfiguration = sourceCommand._outputConfiguration;
        this._helpOption = sourceCommand._helpOption;
        this._helpCommand = sourceCommand._helpCommand;
        this._helpConfiguration = sourceCommand._helpConfiguration;
        this._exitCallback = sourceCommand._exitCallback;
        this._storeOptionsAsProperties = sourceCommand._storeOptionsAsProperties;
        this._combineFlagAndOptionalValue = sourceCommand._combineFlagAndOptionalValue;
        this._allowExcessArguments = sourceCommand._allowExcessArguments;
        this._enablePositionalOptions = sourceCommand._enablePositionalOptions;
        this._showHelpAfterError = sourceCommand._showHelpAfterError;
        this._showSuggestionAfterError = sourceCommand._showSuggestionAfterError;
        return this;
      }
      /**
       * @returns {Command[]}
       * @private
       */
      _getCommandAndAncestors() {
        const result = [];
        for (let command = this; command; command = command.parent) {
          result.push(command);
        }
        return result;
      }
      /**
       * Define a command.
       *
       * There are two styles of command: pay attention to where to put the description.
       *
       * @example
       * // Command implemented using action handler (description is supplied separately to `.command`)
       * program
       *   .command('clone <source> [destination]')
       *   .description('clone a repository into a newly created directory')
       *   .action((source, destination) => {
       *     console.log('clone command called');
       *   });
       *
       * // Command implemented using separate executable file (description is second parameter to `.command`)
       * program
       *   .command('start <service>', 'start named service')
       *   .command('stop [service]', 'stop named service, or all if no name supplied');
       *
       * @param {string} nameAndArgs - command name and arguments, args are `<required>` or `[optional]` and last may also be `variadic...`
       * @param {(object | string)} [actionOptsOrExecDesc] - configuration options (for action), or description (for executable)
       * @param {object} [execOpts] - configuration options (for executable)
       * @return {Command} returns new command for action handler, or `this` for executable command
       */
      command(nameAndArgs, actionOptsOrExecDesc, execOpts) {
        let desc = actionOptsOrExecDesc;
        let opts = execOpts;
        if (typeof desc === "object" && desc !== null) {
          opts = desc;
          desc = null;
        }
        opts = opts || {};
        const [, name, args] = nameAndArgs.match(/([^ ]+) *(.*)/);
        const cmd = this.createCommand(name);
        if (desc) {
          cmd.description(desc);
          cmd._executableHandler = true;
        }
        if (opts.isDefault) this._defaultCommandName = cmd._name;
        cmd._hidden = !!(opts.noHelp || opts.hidden);
        cmd._executableFile = opts.executableFile || null;
        if (args) cmd.arguments(args);
        this._registerCommand(cmd);
        cmd.parent = this;
        cmd.copyInheritedSettings(this);
        if (desc) return this;
        return cmd;
      }
      /**
       * Factory routine to create a new unattached command.
       *
       * See .command() for creating an attached subcommand, which uses this routine to
       * create the command. You can override createCommand to customise subcommands.
       *
       * @param {string} [name]
       * @return {Command} new command
       */
      createCommand(name) {
        return new _Command(name);
      }
      /**
       * You can customise the help with a subclass of Help by overriding createHelp,
       * or by overriding Help properties using configureHelp().
       *
       * @return {Help}
       */
      createHelp() {
        return Object.assign(new Help2(), this.configureHelp());
      }
      /**
       * You can customise the help by overriding Help properties using configureHelp(),
       * or with a subclass of Help by overriding createHelp().
       *
       * @param {object} [configuration] - configuration options
       * @return {(Command | object)} `this` command for chaining, or stored configuration
       */
      configureHelp(configuration) {
        if (configuration === void 0) return this._helpConfiguration;
        this._helpConfiguration = configuration;
        return this;
      }
      /**
       * The default output goes to stdout and stderr. You can customise this for special
       * applications. You can also customise the display of errors by overriding outputError.
       *
       * The configuration properties are all functions:
       *
       *     // change how output being written, defaults to stdout and stderr
       *     writeOut(str)
       *     writeErr(str)
       *     // change how output being written for errors, defaults to writeErr
       *     outputError(str, write) // used for displaying errors and not used for displaying help
       *     // specify width for wrapping help
       *     getOutHelpWidth()
       *     getErrHelpWidth()
       *     // color support, currently only used with Help
       *     getOutHasColors()
       *     getErrHasColors()
       *     stripColor() // used to remove ANSI escape codes if output does not have colors
       *
       * @param {object} [configuration] - configuration options
       * @return {(Command | object)} `this` command for chaining, or stored configuration
       */
      configureOutput(configuration) {
        if (configuration === void 0) return this._outputConfiguration;
        Object.assign(this._outputConfiguration, configuration);
        return this;
      }
      /**
       * Display the help or a custom message after an error occurs.
       *
       * @param {(boolean|string)} [displayHelp]
       * @return {Command} `this` command for chaining
       */
      showHelpAfterError(displayHelp = true) {
        if (typeof displayHelp !== "string") displayHelp = !!displayHelp;
        this._showHelpAfterError = displayHelp;
        return this;
      }
      /**
       * Display suggestion of similar commands for unknown commands, or options for unknown options.
       *
       * @param {boolean} [displaySuggestion]
       * @return {Command} `this` command for chaining
       */
      showSuggestionAfterError(displaySuggestion = true) {
        this._showSuggestionAfterError = !!displaySuggestion;
        return this;
      }
      /**
       * Add a prepared subcommand.
       *
       * See .command() for creating an attached subcommand which inherits settings from its parent.
       *
       * @param {Command} cmd - new subcommand
       * @param {object} [opts] - configuration options
       * @return {Command} `this` command for chaining
       */
      addCommand(cmd, opts) {
        if (!cmd._name) {
          throw new Error(`Command passed to .addCommand() must have a name
- specify the name in Command constructor or using .name()`);
        }
        opts = opts || {};
        if (opts.isDefault) this._defaultCommandName = cmd._name;
        if (opts.noHelp || opts.hidden) cmd._hidden = true;
        this._registerCommand(cmd);
        cmd.parent = this;
        cmd._checkForBrokenPassThrough();
        return this;
      }
      /**
       * Factory routine to create a new unattached argument.
       *
       * See .argument() for creating an attached argument, which uses this routine to
       * create the argument. You can override createArgument to return a custom argument.
       *
       * @param {string} name
       * @param {string} [description]
       * @return {Argument} new argument
       */
      createArgument(name, description) {
        return new Argument2(name, description);
      }
      /**
       * Define argument syntax for command.
       *
       * The default is that the argument is required, and you can explicitly
       * indicate this with <> around the name. Put [] around the name for an optional argument.
       *
       * @example
       * program.argument('<input-file>');
       * program.argument('[output-file]');
       *
       * @param {string} name
       * @param {string} [description]
       * @param {(Function|*)} [fn] - custom argument processing function
       * @param {*} [defaultValue]
       * @return {Command} `this` command for chaining
       */
      argument(name, description, fn, defaultValue) {
        const argument = this.createArgument(name, description);
        if (typeof fn === "function") {
          argument.default(defaultValue).argParser(fn);
        } else {
          argument.default(fn);
        }
        this.addArgument(argument);
        return this;
      }
      /**
       * Define argument syntax for command, adding multiple at once (without descriptions).
       *
       * See also .argument().
       *
       * @example
       * program.arguments('<cmd> [env]');
       *
       * @param {string} names
       * @return {Command} `this` command for chaining
       */
      arguments(names) {
        names.trim().split(/ +/).forEach((detail) => {
          this.argument(detail);
        });
        return this;
      }
      /**
       * Define argument syntax for command, adding a prepared argument.
       *
       * @param {Argument} argument
       * @return {Command} `this` command for chaining
       */
      addArgument(argument) {
        const previousArgument = this.registeredArguments.slice(-1)[0];
        if (previousArgument && previousArgument.variadic) {
          throw new Error(
            `only the last argument can be variadic '${previousArgument.name()}'`
          );
        }
        if (argument.required && argument.defaultValue !== void 0 && argument.parseArg === void 0) {
          throw new Error(
            `a default value for a required argument is never used: '${argument.name()}'`
          );
        }
        this.registeredArguments.push(argument);
        return this;
      }
      /**
       * Customise or override default help command. By default a help command is automatically added if your command has subcommands.
       *
       * @example
       *    program.helpCommand('help [cmd]');
       *    program.helpCommand('help [cmd]', 'show help');
       *    program.helpCommand(false); // suppress default help command
       *    program.helpCommand(true); // add help command even if no subcommands
       *
       * @param {string|boolean} enableOrNameAndArgs - enable with custom name and/or arguments, or boolean to override whether added
       * @param {string} [description] - custom description
       * @return {Command} `this` command for chaining
       */
      helpCommand(enableOrNameAndArgs, description) {
        if (typeof enableOrNameAndArgs === "boolean") {
          this._addImplicitHelpCommand = enableOrNameAndArgs;
          return this;
        }
        enableOrNameAndArgs = enableOrNameAndArgs ?? "help [command]";
        const [, helpName, helpArgs] = enableOrNameAndArgs.match(/([^ ]+) *(.*)/);
        const helpDescription = description ?? "display help for command";
        const helpCommand = this.createCommand(helpName);
        helpCommand.helpOption(false);
        if (helpArgs) helpCommand.arguments(helpArgs);
        if (helpDescription) helpCommand.description(helpDescription);
        this._addImplicitHelpCommand = true;
        this._helpCommand = helpCommand;
        return this;
      }
      /**
       * Add prepared custom help command.
       *
       * @param {(Command|string|boolean)} helpCommand - custom help command, or deprecated enableOrNameAndArgs as for `.helpCommand()`
       * @param {string} [deprecatedDescription] - deprecated custom description used with custom name only
       * @return {Command} `this` command for chaining
       */
      addHelpCommand(helpCommand, deprecatedDescription) {
        if (typeof helpCommand !== "object") {
          this.helpCommand(helpCommand, deprecatedDescription);
          return this;
        }
        this._addImplicitHelpCommand = true;
        this._helpCommand = helpCommand;
        return this;
      }
      /**
       * Lazy create help command.
       *
       * @return {(Command|null)}
       * @package
       */
      _getHelpCommand() {
        const hasImplicitHelpCommand = this._addImplicitHelpCommand ?? (this.commands.length && !this._actionHandler && !this._findCommand("help"));
        if (hasImplicitHelpCommand) {
          if (this._helpCommand === void 0) {
            this.helpCommand(void 0, void 0);
          }
          return this._helpCommand;
        }
        return null;
      }
      /**
       * Add hook for life cycle event.
       *
       * @param {string} event
       * @param {Function} listener
       * @return {Command} `this` command for chaining
       */
      hook(event, listener) {
        const allowedValues = ["preSubcommand", "preAction", "postAction"];
        if (!allowedValues.includes(event)) {
          throw new Error(`Unexpected value for event passed to hook : '${event}'.
Expecting one of '${allowedValues.join("', '")}'`);
        }
        if (this._lifeCycleHooks[event]) {
          this._lifeCycleHooks[event].push(listener);
        } else {
          this._lifeCycleHooks[event] = [listener];
        }
        return this;
      }
      /**
       * Register callback to use as replacement for calling process.exit.
       *
       * @param {Function} [fn] optional callback which will be passed a CommanderError, defaults to throwing
       * @return {Command} `this` command for chaining
       */
      exitOverride(fn) {
        if (fn) {
          this._exitCallback = fn;
        } else {
          this._exitCallback = (err2) => {
            if (err2.code !== "commander.executeSubCommandAsync") {
              throw err2;
            } else {
            }
          };
        }
        return this;
      }
      /**
       * Call process.exit, and _exitCallback if defined.
       *
       * @param {number} exitCode exit code for using with process.exit
       * @param {string} code an id string representing the error
       * @param {string} message human-readable description of the error
       * @return never
       * @private
       */
      _exit(exitCode, code, message) {
        if (this._exitCallback) {
          this._exitCallback(new CommanderError2(exitCode, code, message));
        }
        process2.exit(exitCode);
      }
      /**
       * Register callback `fn` for the command.
       *
       * @example
       * program
       *   .command('serve')
       *   .description('start service')
       *   .action(function() {
       *      // do work here
       *   });
       *
       * @param {Function} fn
       * @return {Command} `this` command for chaining
       */
      action(fn) {
        const listener = (args) => {
          const expectedArgsCount = this.registeredArguments.length;
          const actionArgs = args.slice(0, expectedArgsCount);
          if (this._storeOptionsAsProperties) {
            actionArgs[expectedArgsCount] = this;
          } else {
            actionArgs[expectedArgsCount] = this.opts();
          }
          actionArgs.push(this);
          return fn.apply(this, actionArgs);
        };
        this._actionHandler = listener;
        return this;
      }
      /**
       * Factory routine to create a new unattached option.
       *
       * See .option() for creating an attached option, which uses this routine to
       * create the option. You can override createOption to return a custom option.
       *
       * @param {string} flags
       * @param {string} [description]
       * @return {Option} new option
       */
      createOption(flags, description) {
        return new Option2(flags, description);
      }
      /**
       * Wrap parseArgs to catch 'commander.invalidArgument'.
       *
       * @param {(Option | Argument)} target
       * @param {string} value
       * @param {*} previous
       * @param {string} invalidArgumentMessage
       * @private
       */
      _callParseArg(target, value, previous, invalidArgumentMessage) {
        try {
          return target.parseArg(value, previous);
        } catch (err2) {
          if (err2.code === "commander.invalidArgument") {
            const message = `${invalidArgumentMessage} ${err2.message}`;
            this.error(message, { exitCode: err2.exitCode, code: err2.code });
          }
          throw err2;
        }
      }
      /**
       * Check for option flag conflicts.
       * Register option if no conflicts found, or throw on conflict.
       *
       * @param {Option} option
       * @private
       */
      _registerOption(option) {
        const matchingOption = option.short && this._findOption(option.short) || option.long && this._findOption(option.long);
        if (matchingOption) {
          const matchingFlag = option.long && this._findOption(option.long) ? option.long : option.short;
          throw new Error(`Cannot add option '${option.flags}'${this._name && ` to command '${this._name}'`} due to conflicting flag '${matchingFlag}'
-  already used by option '${matchingOption.flags}'`);
        }
        this.options.push(option);
      }
      /**
       * Check for command name and alias conflicts with existing commands.
       * Register command if no conflicts found, or throw on conflict.
       *
       * @param {Command} command
       * @private
       */
      _registerCommand(command) {
        const knownBy = (cmd) => {
          return [cmd.name()].concat(cmd.aliases());
        };
        const alreadyUsed = knownBy(command).find(
          (name) => this._findCommand(name)
        );
        if (alreadyUsed) {
          const existingCmd = knownBy(this._findCommand(alreadyUsed)).join("|");
          const newCmd = knownBy(command).join("|");
          throw new Error(
            `cannot add command '${newCmd}' as already have command '${existingCmd}'`
          );
        }
        this.commands.push(command);
      }
      /**
       * Add an option.
       *
       * @param {Option} option
       * @return {Command} `this` command for chaining
       */
      addOption(option) {
        this._registerOption(option);
        const oname = option.name();
        const name = option.attributeName();
        if (option.negate) {
          const positiveLongFlag = option.long.replace(/^--no-/, "--");
          if (!this._findOption(positiveLongFlag)) {
            this.setOptionValueWithSource(
              name,
              option.defaultValue === void 0 ? true : option.defaultValue,
              "default"
            );
          }
        } else if (option.defaultValue !== void 0) {
          this.setOptionValueWithSource(name, option.defaultValue, "default");
        }
        const handleOptionValue = (val, invalidValueMessage, valueSource) => {
          if (val == null && option.presetArg !== void 0) {
            val = option.presetArg;
          }
          const oldValue = this.getOptionValue(name);
          if (val !== null && option.parseArg) {
            val = this._callParseArg(option, val, oldValue, invalidValueMessage);
          } else if (val !== null && option.variadic) {
            val = option._concatValue(val, oldValue);
          }
          if (val == null) {
            if (option.negate) {
              val = false;
            } else if (option.isBoolean() || option.optional) {
              val = true;
            } else {
              val = "";
            }
          }
          this.setOptionValueWithSource(name, val, valueSource);
        };
        this.on("option:" + oname, (val) => {
          const invalidValueMessage = `error: option '${option.flags}' argument '${val}' is invalid.`;
          handleOptionValue(val, invalidValueMessage, "cli");
        });
        if (option.envVar) {
          this.on("optionEnv:" + oname, (val) => {
            const invalidValueMessage = `error: option '${option.flags}' value '${val}' from env '${option.envVar}' is invalid.`;
            handleOptionValue(val, invalidValueMessage, "env");
          });
        }
        return this;
      }
      /**
       * Internal implementation shared by .option() and .requiredOption()
       *
       * @return {Command} `this` command for chaining
       * @private
       */
      _optionEx(config, flags, description, fn, defaultValue) {
        if (typeof flags === "object" && flags instanceof Option2) {
          throw new Error(
            "To add an Option object use addOption() instead of option() or requiredOption()"
          );
        }
        const option = this.createOption(flags, description);
        option.makeOptionMandatory(!!config.mandatory);
        if (typeof fn === "function") {
          option.default(defaultValue).argParser(fn);
        } else if (fn instanceof RegExp) {
          const regex = fn;
          fn = (val, def) => {
            const m = regex.exec(val);
            return m ? m[0] : def;
          };
          option.default(defaultValue).argParser(fn);
        } else {
          option.default(fn);
        }
        return this.addOption(option);
      }
      /**
       * Define option with `flags`, `description`, and optional argument parsing function or `defaultValue` or both.
       *
       * The `flags` string contains the short and/or long flags, separated by comma, a pipe or space. A required
       * option-argument is indicated by `<>` and an optional option-argument by `[]`.
       *
       * See the README for more details, and see also addOption() and requiredOption().
       *
       * @example
       * program
       *     .option('-p, --pepper', 'add pepper')
       *     .option('--pt, --pizza-type <TYPE>', 'type of pizza') // required option-argument
       *     .option('-c, --cheese [CHEESE]', 'add extra cheese', 'mozzarella') // optional option-argument with default
       *     .option('-t, --tip <VALUE>', 'add tip to purchase cost', parseFloat) // custom parse function
       *
       * @param {string} flags
       * @param {string} [description]
       * @param {(Function|*)} [parseArg] - custom option processing function or default value
       * @param {*} [defaultValue]
       * @return {Command} `this` command for chaining
       */
      option(flags, description, parseArg, defaultValue) {
        return this._optionEx({}, flags, description, parseArg, defaultValue);
      }
      /**
       * Add a required option which must have a value after parsing. This usually means
       * the option must be specified on the command line. (Otherwise the same as .option().)
       *
       * The `flags` string contains the short and/or long flags, separated by comma, a pipe or space.
       *
       * @param {string} flags
       * @param {string} [description]
       * @param {(Function|*)} [parseArg] - custom option processing function or default value
       * @param {*} [defaultValue]
       * @return {Command} `this` command for chaining
       */
      requiredOption(flags, description, parseArg, defaultValue) {
        return this._optionEx(
          { mandatory: true },
          flags,
          description,
          parseArg,
          defaultValue
        );
      }
      /**
       * Alter parsing of short flags with optional values.
       *
       * @example
       * // for `.option('-f,--flag [value]'):
       * program.combineFlagAndOptionalValue(true);  // `-f80` is treated like `--flag=80`, this is the default behaviour
       * program.combineFlagAndOptionalValue(false) // `-fb` is treated like `-f -b`
       *
       * @param {boolean} [combine] - if `true` or omitted, an optional value can be specified directly after the flag.
       * @return {Command} `this` command for chaining
       */
      combineFlagAndOptionalValue(combine = true) {
        this._combineFlagAndOptionalValue = !!combine;
        return this;
      }
      /**
       * Allow unknown options on the command line.
       *
       * @param {boolean} [allowUnknown] - if `true` or omitted, no error will be thrown for unknown options.
       * @return {Command} `this` command for chaining
       */
      allowUnknownOption(allowUnknown = true) {
        this._allowUnknownOption = !!allowUnknown;
        return this;
      }
      /**
       * Allow excess command-arguments on the command line. Pass false to make excess arguments an error.
       *
       * @param {boolean} [allowExcess] - if `true` or omitted, no error will be thrown for excess arguments.
       * @return {Command} `this` command for chaining
       */
      allowExcessArguments(allowExcess = true) {
        this._allowExcessArguments = !!allowExcess;
        return this;
      }
      /**
       * Enable positional options. Positional means global options are specified before subcommands which lets
       * subcommands reuse the same option names, and also enables subcommands to turn on passThroughOptions.
       * The default behaviour is non-positional and global options may appear anywhere on the command line.
       *
       * @param {boolean} [positional]
       * @return {Command} `this` command for chaining
       */
      enablePositionalOptions(positional = true) {
        this._enablePositionalOptions = !!positional;
        return this;
      }
      /**
       * Pass through options that come after command-arguments rather than treat them as command-options,
       * so actual command-options come before command-arguments. Turning this on for a subcommand requires
       * positional options to have been enabled on the program (parent commands).
       * The default behaviour is non-positional and options may appear before or after command-arguments.
       *
       * @param {boolean} [passThrough] for unknown options.
       * @return {Command} `this` command for chaining
       */
      passThroughOptions(passThrough2 = true) {
        this._passThroughOptions = !!passThrough2;
        this._checkForBrokenPassThrough();
        return this;
      }
      /**
       * @private
       */
      _checkForBrokenPassThrough() {
        if (this.parent && this._passThroughOptions && !this.parent._enablePositionalOptions) {
          throw new Error(
            `passThroughOptions cannot be used for '${this._name}' without turning on enablePositionalOptions for parent command(s)`
          );
        }
      }
      /**
       * Whether to store option values as properties on command object,
       * or store separately (specify false). In both cases the option values can be accessed using .opts().
       *
       * @param {boolean} [storeAsProperties=true]
       * @return {Command} `this` command for chaining
       */
      storeOptionsAsProperties(storeAsProperties = true) {
        if (this.options.length) {
          throw new Error("call .storeOptionsAsProperties() before adding options");
        }
        if (Object.keys(this._optionValues).length) {
          throw new Error(
            "call .storeOptionsAsProperties() before setting option values"
          );
        }
        this._storeOptionsAsProperties = !!storeAsProperties;
        return this;
      }
      /**
       * Retrieve option value.
       *
       * @param {string} key
       * @return {object} value
       */
      getOptionValue(key) {
        if (this._storeOptionsAsProperties) {
          return this[key];
        }
        return this._optionValues[key];
      }
      /**
       * Store option value.
       *
       * @param {string} key
       * @param {object} value
       * @return {Command} `this` command for chaining
       */
      setOptionValue(key, value) {
        return this.setOptionValueWithSource(key, value, void 0);
      }
      /**
       * Store option value and where the value came from.
       *
       * @param {string} key
       * @param {object} value
       * @param {string} source - expected values are default/config/env/cli/implied
       * @return {Command} `this` command for chaining
       */
      setOptionValueWithSource(key, value, source) {
        if (this._storeOptionsAsProperties) {
          this[key] = value;
        } else {
          this._optionValues[key] = value;
        }
        this._optionValueSources[key] = source;
        return this;
      }
      /**
       * Get source of option value.
       * Expected values are default | config | env | cli | implied
       *
       * @param {string} key
       * @return {string}
       */
      getOptionValueSource(key) {
        return this._optionValueSources[key];
      }
      /**
       * Get source of option value. See also .optsWithGlobals().
       * Expected values are default | config | env | cli | implied
       *
       * @param {string} key
       * @return {string}
       */
      getOptionValueSourceWithGlobals(key) {
        let source;
        this._getCommandAndAncestors().forEach((cmd) => {
          if (cmd.getOptionValueSource(key) !== void 0) {
            source = cmd.getOptionValueSource(key);
          }
        });
        return source;
      }
      /**
       * Get user arguments from implied or explicit arguments.
       * Side-effects: set _scriptPath if args included script. Used for default program name, and subcommand searches.
       *
       * @private
       */
      _prepareUserArgs(argv, parseOptions) {
        if (argv !== void 0 && !Array.isArray(argv)) {
          throw new Error("first parameter to parse must be array or undefined");
        }
        parseOptions = parseOptions || {};
        if (argv === void 0 && parseOptions.from === void 0) {
          if (process2.versions?.electron) {
            parseOptions.from = "electron";
          }
          const execArgv = process2.execArgv ?? [];
          if (execArgv.includes("-e") || execArgv.includes("--eval") || execArgv.includes("-p") || execArgv.includes("--print")) {
            parseOptions.from = "eval";
          }
        }
        if (argv === void 0) {
          argv = process2.argv;
        }
        this.rawArgs = argv.slice();
        let userArgs;
        switch (parseOptions.from) {
          case void 0:
          case "node":
            this._scriptPath = argv[1];
            userArgs = argv.slice(2);
            break;
          case "electron":
            if (process2.defaultApp) {
              this._scriptPath = argv[1];
              userArgs = argv.slice(2);
            } else {
              userArgs = argv.slice(1);
            }
            break;
          case "user":
            userArgs = argv.slice(0);
            break;
          case "eval":
            userArgs = argv.slice(1);
            break;
          default:
            throw new Error(
              `unexpected parse option { from: '${parseOptions.from}' }`
            );
        }
        if (!this._name && this._scriptPath)
          this.nameFromFilename(this._scriptPath);
        this._name = this._name || "program";
        return userArgs;
      }
      /**
       * Parse `argv`, setting options and invoking commands when defined.
       *
       * Use parseAsync instead of parse if any of your action handlers are async.
       *
       * Call with no parameters to parse `process.argv`. Detects Electron and special node options like `node --eval`. Easy mode!
       *
       * Or call with an array of strings to parse, and optionally where the user arguments start by specifying where the arguments are `from`:
       * - `'node'`: default, `argv[0]` is the application and `argv[1]` is the script being run, with user arguments after that
       * - `'electron'`: `argv[0]` is the application and `argv[1]` varies depending on whether the electron application is packaged
       * - `'user'`: just user arguments
       *
       * @example
       * program.parse(); // parse process.argv and auto-detect electron and special node flags
       * program.parse(process.argv); // assume argv[0] is app and argv[1] is script
       * program.parse(my-args, { from: 'user' }); // just user supplied arguments, nothing special about argv[0]
       *
       * @param {string[]} [argv] - optional, defaults to process.argv
       * @param {object} [parseOptions] - optionally specify style of options with from: node/user/electron
       * @param {string} [parseOptions.from] - where the args are from: 'node', 'user', 'electron'
       * @return {Command} `this` command for chaining
       */
      parse(argv, parseOptions) {
        this._prepareForParse();
        const userArgs = this._prepareUserArgs(argv, parseOptions);
        this._parseCommand([], userArgs);
        return this;
      }
      /**
       * Parse `argv`, setting options and invoking commands when defined.
       *
       * Call with no parameters to parse `process.argv`. Detects Electron and special node options like `node --eval`. Easy mode!
       *
       * Or call with an array of strings to parse, and optionally where the user arguments start by specifying where the arguments are `from`:
       * - `'node'`: default, `argv[0]` is the application and `argv[1]` is the script being run, with user arguments after that
       * - `'electron'`: `argv[0]` is the application and `argv[1]` varies depending on whether the electron application is packaged
       * - `'user'`: just user arguments
       *
       * @example
       * await program.parseAsync(); // parse process.argv and auto-detect electron and special node flags
       * await program.parseAsync(process.argv); // assume argv[0] is app and argv[1] is script
       * await program.parseAsync(my-args, { from: 'user' }); // just user supplied arguments, nothing special about argv[0]
       *
       * @param {string[]} [argv]
       * @param {object} [parseOptions]
       * @param {string} parseOptions.from - where the args are from: 'node', 'user', 'electron'
       * @return {Promise}
       */
      async parseAsync(argv, parseOptions) {
        this._prepareForParse();
        const userArgs = this._prepareUserArgs(argv, parseOptions);
        await this._parseCommand([], userArgs);
        return this;
      }
      _prepareForParse() {
        if (this._savedState === null) {
          this.saveStateBeforeParse();
        } else {
          this.restoreStateBeforeParse();
        }
      }
      /**
       * Called the first time parse is called to save state and allow a restore before subsequent calls to parse.
       * Not usually called directly, but available for subclasses to save their custom state.
       *
       * This is called in a lazy way. Only commands used in parsing chain will have state saved.
       */
      saveStateBeforeParse() {
        this._savedState = {
          // name is stable if supplied by author, but may be unspecified for root command and deduced during parsing
          _name: this._name,
          // option values before parse have default values (including false for negated options)
          // shallow clones
          _optionValues: { ...this._optionValues },
          _optionValueSources: { ...this._optionValueSources }
        };
      }
      /**
       * Restore state before parse for calls after the first.
       * Not usually called directly, but available for subclasses to save their custom state.
       *
       * This is called in a lazy way. Only commands used in parsing chain will have state restored.
       */
      restoreStateBeforeParse() {
        if (this._storeOptionsAsProperties)
          throw new Error(`Can not call parse again when storeOptionsAsProperties is true.
- either make a new Command for each call to parse, or stop storing options as properties`);
        this._name = this._savedState._name;
        this._scriptPath = null;
        this.rawArgs = [];
        this._optionValues = { ...this._savedState._optionValues };
        this._optionValueSources = { ...this._savedState._optionValueSources };
        this.args = [];
        this.processedArgs = [];
      }
      /**
       * Throw if expected executable is missing. Add lots of help for author.
       *
       * @param {string} executableFile
       * @param {string} executableDir
       * @param {string} subcommandName
       */
      _checkForMissingExecutable(executableFile, executableDir, subcommandName) {
        if (fs8.existsSync(executableFile)) return;
        const executableDirMessage = executableDir ? `searched for local subcommand relative to directory '${executableDir}'` : "no directory for search for local subcommand, use .executableDir() to supply a custom directory";
        const executableMissing = `'${executableFile}' does not exist
 - if '${subcommandName}' is not meant to be an executable command, remove description parameter from '.command()' and use '.description()' instead
 - if the default executable name is not suitable, use the executableFile option to supply a custom name or path
 - ${executableDirMessage}`;
        throw new Error(executableMissing);
      }
      /**
       * Execute a sub-command executable.
       *
       * @private
       */
      _executeSubCommand(subcommand, args) {
        args = args.slice();
        let launchWithNode = false;
        const sourceExt = [".js", ".ts", ".tsx", ".mjs", ".cjs"];
        function findFile(baseDir, baseName) {
          const localBin = path6.resolve(baseDir, baseName);
          if (fs8.existsSync(localBin)) return localBin;
          if (sourceExt.includes(path6.extname(baseName))) return void 0;
          const foundExt = sourceExt.find(
            (ext) => fs8.existsSync(`${localBin}${ext}`)
          );
          if (foundExt) return `${localBin}${foundExt}`;
          return void 0;
        }
        this._checkForMissingMandatoryOptions();
        this._checkForConflictingOptions();
        let executableFile = subcommand._executableFile || `${this._name}-${subcommand._name}`;
        let executableDir = this._executableDir || "";
        if (this._scriptPath) {
          let resolvedScriptPath;
          try {
            resolvedScriptPath = fs8.realpathSync(this._scriptPath);
          } catch {
            resolvedScriptPath = this._scriptPath;
          }
          executableDir = path6.resolve(
            path6.dirname(resolvedScriptPath),
            executableDir
          );
        }
        if (executableDir) {
          let localFile = findFile(executableDir, executableFile);
          if (!localFile && !subcommand._executableFile && this._scriptPath) {
            const legacyName = path6.basename(
              this._scriptPath,
              path6.extname(this._scriptPath)
            );
            if (legacyName !== this._name) {
              localFile = findFile(
                executableDir,
                `${legacyName}-${subcommand._name}`
              );
            }
          }
          executableFile = localFile || executableFile;
        }
        launchWithNode = sourceExt.includes(path6.extname(executableFile));
        let proc;
        if (process2.platform !== "win32") {
          if (launchWithNode) {
            args.unshift(executableFile);
            args = incrementNodeInspectorPort(process2.execArgv).concat(args);
            proc = childProcess.spawn(process2.argv[0], args, { stdio: "inherit" });
          } else {
            proc = childProcess.spawn(executableFile, args, { stdio: "inherit" });
          }
        } else {
          this._checkForMissingExecutable(
            executableFile,
            executableDir,
            subcommand._name
          );
          args.unshift(executableFile);
          args = incrementNodeInspectorPort(process2.execArgv).concat(args);
          proc = childProcess.spawn(process2.execPath, args, { stdio: "inherit" });
        }
        if (!proc.killed) {
          const signals = ["SIGUSR1", "SIGUSR2", "SIGTERM", "SIGINT", "SIGHUP"];
          signals.forEach((signal) => {
            process2.on(signal, () => {
              if (proc.killed === false && proc.exitCode === null) {
                proc.kill(signal);
              }
            });
          });
        }
        const exitCallback = this._exitCallback;
        proc.on("close", (code) => {
          code = code ?? 1;
          if (!exitCallback) {
            process2.exit(code);
          } else {
            exitCallback(
              new CommanderError2(
                code,
                "commander.executeSubCommandAsync",
                "(close)"
              )
            );
          }
        });
        proc.on("error", (err2) => {
          if (err2.code === "ENOENT") {
            this._checkForMissingExecutable(
              executableFile,
              executableDir,
              subcommand._name
            );
          } else if (err2.code === "EACCES") {
            throw new Error(`'${executableFile}' not executable`);
          }
          if (!exitCallback) {
            process2.exit(1);
          } else {
            const wrappedError = new CommanderError2(
              1,
              "commander.executeSubCommandAsync",
              "(error)"
            );
            wrappedError.nestedError = err2;
            exitCallback(wrappedError);
          }
        });
        this.runningCommand = proc;
      }
      /**
       * @private
       */
      _dispatchSubcommand(commandName, operands, unknown) {
        const subCommand = this._findCommand(commandName);
        if (!subCommand) this.help({ error: true });
        subCommand._prepareForParse();
        let promiseChain;
        promiseChain = this._chainOrCallSubCommandHook(
          promiseChain,
          subCommand,
          "preSubcommand"
        );
        promiseChain = this._chainOrCall(promiseChain, () => {
          if (subCommand._executableHandler) {
            this._executeSubCommand(subCommand, operands.concat(unknown));
          } else {
            return subCommand._parseCommand(operands, unknown);
          }
        });
        return promiseChain;
      }
      /**
       * Invoke help directly if possible, or dispatch if necessary.
       * e.g. help foo
       *
       * @private
       */
      _dispatchHelpCommand(subcommandName) {
        if (!subcommandName) {
          this.help();
        }
        const subCommand = this._findCommand(subcommandName);
        if (subCommand && !subCommand._executableHandler) {
          subCommand.help();
        }
        return this._dispatchSubcommand(
          subcommandName,
          [],
          [this._getHelpOption()?.long ?? this._getHelpOption()?.short ?? "--help"]
        );
      }
      /**
       * Check this.args against expected this.registeredArguments.
       *
       * @private
       */
      _checkNumberOfArguments() {
        this.registeredArguments.forEach((arg, i) => {
          if (arg.required && this.args[i] == null) {
            this.missingArgument(arg.name());
          }
        });
        if (this.registeredArguments.length > 0 && this.registeredArguments[this.registeredArguments.length - 1].variadic) {
          return;
        }
        if (this.args.length > this.registeredArguments.length) {
          this._excessArguments(this.args);
        }
      }
      /**
       * Process this.args using this.registeredArguments and save as this.processedArgs!
       *
       * @private
       */
      _processArguments() {
        const myParseArg = (argument, value, previous) => {
          let parsedValue = value;
          if (value !== null && argument.parseArg) {
            const invalidValueMessage = `error: command-argument value '${value}' is invalid for argument '${argument.name()}'.`;
            parsedValue = this._callParseArg(
              argument,
              value,
              previous,
              invalidValueMessage
            );
          }
          return parsedValue;
        };
        this._checkNumberOfArguments();
        const processedArgs = [];
        this.registeredArguments.forEach((declaredArg, index) => {
          let value = declaredArg.defaultValue;
          if (declaredArg.variadic) {
            if (index < this.args.length) {
              value = this.args.slice(index);
              if (declaredArg.parseArg) {
                value = value.reduce((processed, v) => {
                  return myParseArg(declaredArg, v, processed);
                }, declaredArg.defaultValue);
              }
            } else if (value === void 0) {
              value = [];
            }
          } else if (index < this.args.length) {
            value = this.args[index];
            if (declaredArg.parseArg) {
              value = myParseArg(declaredArg, value, declaredArg.defaultValue);
            }
          }
          processedArgs[index] = value;
        });
        this.processedArgs = processedArgs;
      }
      /**
       * Once we have a promise we chain, but call synchronously until then.
       *
       * @param {(Promise|undefined)} promise
       * @param {Function} fn
       * @return {(Promise|undefined)}
       * @private
       */
      _chainOrCall(promise, fn) {
        if (promise && promise.then && typeof promise.then === "function") {
          return promise.then(() => fn());
        }
        return fn();
      }
      /**
       *
       * @param {(Promise|undefined)} promise
       * @param {string} event
       * @return {(Promise|undefined)}
       * @private
       */
      _chainOrCallHooks(promise, event) {
        let result = promise;
        const hooks = [];
        this._getCommandAndAncestors().reverse().filter((cmd) => cmd._lifeCycleHooks[event] !== void 0).forEach((hookedCommand) => {
          hookedCommand._lifeCycleHooks[event].forEach((callback) => {
            hooks.push({ hookedCommand, callback });
          });
        });
        if (event === "postAction") {
          hooks.reverse();
        }
        hooks.forEach((hookDetail) => {
          result = this._chainOrCall(result, () => {
            return hookDetail.callback(hookDetail.hookedCommand, this);
          });
        });
        return result;
      }
      /**
       *
       * @param {(Promise|undefined)} promise
       * @param {Command} subCommand
       * @param {string} event
       * @return {(Promise|undefined)}
       * @private
       */
      _chainOrCallSubCommandHook(promise, subCommand, event) {
        let result = promise;
        if (this._lifeCycleHooks[event] !== void 0) {
          this._lifeCycleHooks[event].forEach((hook) => {
            result = this._chainOrCall(result, () => {
              return hook(this, subCommand);
            });
          });
        }
        return result;
      }
      /**
       * Process arguments in context of this command.
       * Returns action result, in case it is a promise.
       *
       * @private
       */
      _parseCommand(operands, unknown) {
        const parsed = this.parseOptions(unknown);
        this._parseOptionsEnv();
        this._parseOptionsImplied();
        operands = operands.concat(parsed.operands);
        unknown = parsed.unknown;
        this.args = operands.concat(unknown);
        if (operands && this._findCommand(operands[0])) {
          return this._dispatchSubcommand(operands[0], operands.slice(1), unknown);
        }
        if (this._getHelpCommand() && operands[0] === this._getHelpCommand().name()) {
          return this._dispatchHelpCommand(operands[1]);
        }
        if (this._defaultCommandName) {
          this._outputHelpIfRequested(unknown);
          return this._dispatchSubcommand(
            this._defaultCommandName,
            operands,
            unknown
          );
        }
        if (this.commands.length && this.args.length === 0 && !this._actionHandler && !this._defaultCommandName) {
          this.help({ error: true });
        }
        this._outputHelpIfRequested(parsed.unknown);
        this._checkForMissingMandatoryOptions();
        this._checkForConflictingOptions();
        const checkForUnknownOptions = () => {
          if (parsed.unknown.length > 0) {
            this.unknownOption(parsed.unknown[0]);
          }
        };
        const commandEvent = `command:${this.name()}`;
        if (this._actionHandler) {
          checkForUnknownOptions();
          this._processArguments();
          let promiseChain;
          promiseChain = this._chainOrCallHooks(promiseChain, "preAction");
          promiseChain = this._chainOrCall(
            promiseChain,
            () => this._actionHandler(this.processedArgs)
          );
          if (this.parent) {
            promiseChain = this._chainOrCall(promiseChain, () => {
              this.parent.emit(commandEvent, operands, unknown);
            });
          }
          promiseChain = this._chainOrCallHooks(promiseChain, "postAction");
          return promiseChain;
        }
        if (this.parent && this.parent.listenerCount(commandEvent)) {
          checkForUnknownOptions();
          this._processArguments();
          this.parent.emit(commandEvent, operands, unknown);
        } else if (operands.length) {
          if (this._findCommand("*")) {
            return this._dispatchSubcommand("*", operands, unknown);
          }
          if (this.listenerCount("command:*")) {
            this.emit("command:*", operands, unknown);
          } else if (this.commands.length) {
            this.unknownCommand();
          } else {
            checkForUnknownOptions();
            this._processArguments();
          }
        } else if (this.commands.length) {
          checkForUnknownOptions();
          this.help({ error: true });
        } else {
          checkForUnknownOptions();
          this._processArguments();
        }
      }
      /**
       * Find matching command.
       *
       * @private
       * @return {Command | undefined}
       */
      _findCommand(name) {
        if (!name) return void 0;
        return this.commands.find(
          (cmd) => cmd._name === name || cmd._aliases.includes(name)
        );
      }
      /**
       * Return an option matching `arg` if any.
       *
       * @param {string} arg
       * @return {Option}
       * @package
       */
      _findOption(arg) {
        return this.options.find((option) => option.is(arg));
      }
      /**
       * Display an error message if a mandatory option does not have a value.
       * Called after checking for help flags in leaf subcommand.
       *
       * @private
       */
      _checkForMissingMandatoryOptions() {
        this._getCommandAndAncestors().forEach((cmd) => {
          cmd.options.forEach((anOption) => {
            if (anOption.mandatory && cmd.getOptionValue(anOption.attributeName()) === void 0) {
              cmd.missingMandatoryOptionValue(anOption);
            }
          });
        });
      }
      /**
       * Display an error message if conflicting options are used together in this.
       *
       * @private
       */
      _checkForConflictingLocalOptions() {
        const definedNonDefaultOptions = this.options.filter((option) => {
          const optionKey = option.attributeName();
          if (this.getOptionValue(optionKey) === void 0) {
            return false;
          }
          return this.getOptionValueSource(optionKey) !== "default";
        });
        const optionsWithConflicting = definedNonDefaultOptions.filter(
          (option) => option.conflictsWith.length > 0
        );
        optionsWithConflicting.forEach((option) => {
          const conflictingAndDefined = definedNonDefaultOptions.find(
            (defined) => option.conflictsWith.includes(defined.attributeName())
          );
          if (conflictingAndDefined) {
            this._conflictingOption(option, conflictingAndDefined);
          }
        });
      }
      /**
       * Display an error message if conflicting options are used together.
       * Called after checking for help flags in leaf subcommand.
       *
       * @private
       */
      _checkForConflictingOptions() {
        this._getCommandAndAncestors().forEach((cmd) => {
          cmd._checkForConflictingLocalOptions();
        });
      }
      /**
       * Parse options from `argv` removing known options,
       * and return argv split into operands and unknown arguments.
       *
       * Side effects: modifies command by storing options. Does not reset state if called again.
       *
       * Examples:
       *
       *     argv => operands, unknown
       *     --known kkk op => [op], []
       *     op --known kkk => [op], []
       *     sub --unknown uuu op => [sub], [--unknown uuu op]
       *     sub -- --unknown uuu op => [sub --unknown uuu op], []
       *
       * @param {string[]} argv
       * @return {{operands: string[], unknown: string[]}}
       */
      parseOptions(argv) {
        const operands = [];
        const unknown = [];
        let dest = operands;
        const args = argv.slice();
        function maybeOption(arg) {
          return arg.length > 1 && arg[0] === "-";
        }
        let activeVariadicOption = null;
        while (args.length) {
          const arg = args.shift();
          if (arg === "--") {
            if (dest === unknown) dest.push(arg);
            dest.push(...args);
            break;
          }
          if (activeVariadicOption && !maybeOption(arg)) {
            this.emit(`option:${activeVariadicOption.name()}`, arg);
            continue;
          }
          activeVariadicOption = null;
          if (maybeOption(arg)) {
            const option = this._findOption(arg);
            if (option) {
              if (option.required) {
                const value = args.shift();
                if (value === void 0) this.optionMissingArgument(option);
                this.emit(`option:${option.name()}`, value);
              } else if (option.optional) {
                let value = null;
                if (args.length > 0 && !maybeOption(args[0])) {
                  value = args.shift();
                }
                this.emit(`option:${option.name()}`, value);
              } else {
                this.emit(`option:${option.name()}`);
              }
              activeVariadicOption = option.variadic ? option : null;
              continue;
            }
          }
          if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-") {
            const option = this._findOption(`-${arg[1]}`);
            if (option) {
              if (option.required || option.optional && this._combineFlagAndOptionalValue) {
                this.emit(`option:${option.name()}`, arg.slice(2));
              } else {
                this.emit(`option:${option.name()}`);
                args.unshift(`-${arg.slice(2)}`);
              }
              continue;
            }
          }
          if (/^--[^=]+=/.test(arg)) {
            const index = arg.indexOf("=");
            const option = this._findOption(arg.slice(0, index));
            if (option && (option.required || option.optional)) {
              this.emit(`option:${option.name()}`, arg.slice(index + 1));
              continue;
            }
          }
          if (maybeOption(arg)) {
            dest = unknown;
          }
          if ((this._enablePositionalOptions || this._passThroughOptions) && operands.length === 0 && unknown.length === 0) {
            if (this._findCommand(arg)) {
              operands.push(arg);
              if (args.length > 0) unknown.push(...args);
              break;
            } else if (this._getHelpCommand() && arg === this._getHelpCommand().name()) {
              operands.push(arg);
              if (args.length > 0) operands.push(...args);
              break;
            } else if (this._defaultCommandName) {
              unknown.push(arg);
              if (args.length > 0) unknown.push(...args);
              break;
            }
          }
          if (this._passThroughOptions) {
            dest.push(arg);
            if (args.length > 0) dest.push(...args);
            break;
          }
          dest.push(arg);
        }
        return { operands, unknown };
      }
      /**
       * Return an object containing local option values as key-value pairs.
       *
       * @return {object}
       */
      opts() {
        if (this._storeOptionsAsProperties) {
          const result = {};
          const len = this.options.length;
          for (let i = 0; i < len; i++) {
            const key = this.options[i].attributeName();
            result[key] = key === this._versionOptionName ? this._version : this[key];
          }
          return result;
        }
        return this._optionValues;
      }
      /**
       * Return an object containing merged local and global option values as key-value pairs.
       *
       * @return {object}
       */
      optsWithGlobals() {
        return this._getCommandAndAncestors().reduce(
          (combinedOptions, cmd) => Object.assign(combinedOptions, cmd.opts()),
          {}
        );
      }
      /**
       * Display error message and exit (or call exitOverride).
       *
       * @param {string} message
       * @param {object} [errorOptions]
       * @param {string} [errorOptions.code] - an id string representing the error
       * @param {number} [errorOptions.exitCode] - used with process.exit
       */
      error(message, errorOptions) {
        this._outputConfiguration.outputError(
          `${message}
`,
          this._outputConfiguration.writeErr
        );
        if (typeof this._showHelpAfterError === "string") {
          this._outputConfiguration.writeErr(`${this._showHelpAfterError}
`);
        } else if (this._showHelpAfterError) {
          this._outputConfiguration.writeErr("\n");
          this.outputHelp({ error: true });
        }
        const config = errorOptions || {};
        const exitCode = config.exitCode || 1;
        const code = config.code || "commander.error";
        this._exit(exitCode, code, message);
      }
      /**
       * Apply any option related environment variables, if option does
       * not have a value from cli or client code.
       *
       * @private
       */
      _parseOptionsEnv() {
        this.options.forEach((option) => {
          if (option.envVar && option.envVar in process2.env) {
            const optionKey = option.attributeName();
            if (this.getOptionValue(optionKey) === void 0 || ["default", "config", "env"].includes(
              this.getOptionValueSource(optionKey)
            )) {
              if (option.required || option.optional) {
                this.emit(`optionEnv:${option.name()}`, process2.env[option.envVar]);
              } else {
                this.emit(`optionEnv:${option.name()}`);
              }
            }
          }
        });
      }
      /**
       * Apply any implied option values, if option is undefined or default value.
       *
       * @private
       */
      _parseOptionsImplied() {
        const dualHelper = new DualOptions(this.options);
        const hasCustomOptionValue = (optionKey) => {
          return this.getOptionValue(optionKey) !== void 0 && !["default", "implied"].includes(this.getOptionValueSource(optionKey));
        };
        this.options.filter(
          (option) => option.implied !== void 0 && hasCustomOptionValue(option.attributeName()) && dualHelper.valueFromOption(
            this.getOptionValue(option.attributeName()),
            option
          )
        ).forEach((option) => {
          Object.keys(option.implied).filter((impliedKey) => !hasCustomOptionValue(impliedKey)).forEach((impliedKey) => {
            this.setOptionValueWithSource(
              impliedKey,
              option.implied[impliedKey],
              "implied"
            );
          });
        });
      }
      /**
       * Argument `name` is missing.
       *
       * @param {string} name
       * @private
       */
      missingArgument(name) {
        const message = `error: missing required argument '${name}'`;
        this.error(message, { code: "commander.missingArgument" });
      }
      /**
       * `Option` is missing an argument.
       *
       * @param {Option} option
       * @private
       */
      optionMissingArgument(option) {
        const message = `error: option '${option.flags}' argument missing`;
        this.error(message, { code: "commander.optionMissingArgument" });
      }
      /**
       * `Option` does not have a value, and is a mandatory option.
       *
       * @param {Option} option
       * @private
       */
      missingMandatoryOptionValue(option) {
        const message = `error: required option '${option.flags}' not specified`;
        this.error(message, { code: "commander.missingMandatoryOptionValue" });
      }
      /**
       * `Option` conflicts with another option.
       *
       * @param {Option} option
       * @param {Option} conflictingOption
       * @private
       */
      _conflictingOption(option, conflictingOption) {
        const findBestOptionFromValue = (option2) => {
          const optionKey = option2.attributeName();
          const optionValue = this.getOptionValue(optionKey);
          const negativeOption = this.options.find(
            (target) => target.negate && optionKey === target.attributeName()
          );
          const positiveOption = this.options.find(
            (target) => !target.negate && optionKey === target.attributeName()
          );
          if (negativeOption && (negativeOption.presetArg === void 0 && optionValue === false || negativeOption.presetArg !== void 0 && optionValue === negativeOption.presetArg)) {
            return negativeOption;
          }
          return positiveOption || option2;
        };
        const getErrorMessage = (option2) => {
          const bestOption = findBestOptionFromValue(option2);
          const optionKey = bestOption.attributeName();
          const source = this.getOptionValueSource(optionKey);
          if (source === "env") {
            return `environment variable '${bestOption.envVar}'`;
          }
          return `option '${bestOption.flags}'`;
        };
        const message = `error: ${getErrorMessage(option)} cannot be used with ${getErrorMessage(conflictingOption)}`;
        this.error(message, { code: "commander.conflictingOption" });
      }
      /**
       * Unknown option `flag`.
       *
       * @param {string} flag
       * @private
       */
      unknownOption(flag) {
        if (this._allowUnknownOption) return;
        let suggestion = "";
        if (flag.startsWith("--") && this._showSuggestionAfterError) {
          let candidateFlags = [];
          let command = this;
          do {
            const moreFlags = command.createHelp().visibleOptions(command).filter((option) => option.long).map((option) => option.long);
            candidateFlags = candidateFlags.concat(moreFlags);
            command = command.parent;
          } while (command && !command._enablePositionalOptions);
          suggestion = suggestSimilar(flag, candidateFlags);
        }
        const message = `error: unknown option '${flag}'${suggestion}`;
        this.error(message, { code: "commander.unknownOption" });
      }
      /**
       * Excess arguments, more than expected.
       *
       * @param {string[]} receivedArgs
       * @private
       */
      _excessArguments(receivedArgs) {
        if (this._allowExcessArguments) return;
        const expected = this.registeredArguments.length;
        const s2 = expected === 1 ? "" : "s";
        const forSubcommand = this.parent ? ` for '${this.name()}'` : "";
        const message = `error: too many arguments${forSubcommand}. Expected ${expected} argument${s2} but got ${receivedArgs.length}.`;
        this.error(message, { code: "commander.excessArguments" });
      }
      /**
       * Unknown command.
       *
       * @private
       */
      unknownCommand() {
        const unknownName = this.args[0];
        let suggestion = "";
        if (this._showSuggestionAfterError) {
          const candidateNames = [];
          this.createHelp().visibleCommands(this).forEach((command) => {
            candidateNames.push(command.name());
            if (command.alias()) candidateNames.push(command.alias());
          });
          suggestion = suggestSimilar(unknownName, candidateNames);
        }
        const message = `error: unknown command '${unknownName}'${suggestion}`;
        this.error(message, { code: "commander.unknownCommand" });
      }
      /**
       * Get or set the program version.
       *
       * This method auto-registers the "-V, --version" option which will print the version number.
       *
       * You can optionally supply the flags and description to override the defaults.
       *
       * @param {string} [str]
       * @param {string} [flags]
       * @param {string} [description]
       * @return {(this | string | undefined)} `this` command for chaining, or version string if no arguments
       */
      version(str2, flags, description) {
        if (str2 === void 0) return this._version;
        this._version = str2;
        flags = flags || "-V, --version";
        description = description || "output the version number";
        const versionOption = this.createOption(flags, description);
        this._versionOptionName = versionOption.attributeName();
        this._registerOption(versionOption);
        this.on("option:" + versionOption.name(), () => {
          this._outputConfiguration.writeOut(`${str2}
`);
          this._exit(0, "commander.version", str2);
        });
        return this;
      }
      /**
       * Set the description.
       *
       * @param {string} [str]
       * @param {object} [argsDescription]
       * @return {(string|Command)}
       */
      description(str2, argsDescription) {
        if (str2 === void 0 && argsDescription === void 0)
          return this._description;
        this._description = str2;
        if (argsDescription) {
          this._argsDescription = argsDescription;
        }
        return this;
      }
      /**
       * Set the summary. Used when listed as subcommand of parent.
       *
       * @param {string} [str]
       * @return {(string|Command)}
       */
      summary(str2) {
        if (str2 === void 0) return this._summary;
        this._summary = str2;
        return this;
      }
      /**
       * Set an alias for the command.
       *
       * You may call more than once to add multiple aliases. Only the first alias is shown in the auto-generated help.
       *
       * @param {string} [alias]
       * @return {(string|Command)}
       */
      alias(alias) {
        if (alias === void 0) return this._aliases[0];
        let command = this;
        if (this.commands.length !== 0 && this.commands[this.commands.length - 1]._executableHandler) {
          command = this.commands[this.commands.length - 1];
        }
        if (alias === command._name)
          throw new Error("Command alias can't be the same as its name");
        const matchingCommand = this.parent?._findCommand(alias);
        if (matchingCommand) {
          const existingCmd = [matchingCommand.name()].concat(matchingCommand.aliases()).join("|");
          throw new Error(
            `cannot add alias '${alias}' to command '${this.name()}' as already have command '${existingCmd}'`
          );
        }
        command._aliases.push(alias);
        return this;
      }
      /**
       * Set aliases for the command.
       *
       * Only the first alias is shown in the auto-generated help.
       *
       * @param {string[]} [aliases]
       * @return {(string[]|Command)}
       */
      aliases(aliases) {
        if (aliases === void 0) return this._aliases;
        aliases.forEach((alias) => this.alias(alias));
        return this;
      }
      /**
       * Set / get the command usage `str`.
       *
       * @param {string} [str]
       * @return {(string|Command)}
       */
      usage(str2) {
        if (str2 === void 0) {
          if (this._usage) return this._usage;
          const args = this.registeredArguments.map((arg) => {
            return humanReadableArgName(arg);
          });
          return [].concat(
            this.options.length || this._helpOption !== null ? "[options]" : [],
            this.commands.length ? "[command]" : [],
            this.registeredArguments.length ? args : []
          ).join(" ");
        }
        this._usage = str2;
        return this;
      }
      /**
       * Get or set the name of the command.
       *
       * @param {string} [str]
       * @return {(string|Command)}
       */
      name(str2) {
        if (str2 === void 0) return this._name;
        this._name = str2;
        return this;
      }
      /**
       * Set the name of the command from script filename, such as process.argv[1],
       * or require.main.filename, or __filename.
       *
       * (Used internally and public although not documented in README.)
       *
       * @example
       * program.nameFromFilename(require.main.filename);
       *
       * @param {string} filename
       * @return {Command}
       */
      nameFromFilename(filename) {
        this._name = path6.basename(filename, path6.extname(filename));
        return this;
      }
      /**
       * Get or set the directory for searching for executable subcommands of this command.
       *
       * @example
       * program.executableDir(__dirname);
       * // or
       * program.executableDir('subcommands');
       *
       * @param {string} [path]
       * @return {(string|null|Command)}
       */
      executableDir(path7) {
        if (path7 === void 0) return this._executableDir;
        this._executableDir = path7;
        return this;
      }
      /**
       * Return program help documentation.
       *
       * @param {{ error: boolean }} [contextOptions] - pass {error:true} to wrap for stderr instead of stdout
       * @return {string}
       */
      helpInformation(contextOptions) {
        const helper = this.createHelp();
        const context = this._getOutputContext(contextOptions);
        helper.prepareContext({
          error: context.error,
          helpWidth: context.helpWidth,
          outputHasColors: context.hasColors
        });
        const text = helper.formatHelp(this, helper);
        if (context.hasColors) return text;
        return this._outputConfiguration.stripColor(text);
      }
      /**
       * @typedef HelpContext
       * @type {object}
       * @property {boolean} error
       * @property {number} helpWidth
       * @property {boolean} hasColors
       * @property {function} write - includes stripColor if needed
       *
       * @returns {HelpContext}
       * @private
       */
      _getOutputContext(contextOptions) {
        contextOptions = contextOptions || {};
        const error = !!contextOptions.error;
        let baseWrite;
        let hasColors;
        let helpWidth;
        if (error) {
          baseWrite = (str2) => this._outputConfiguration.writeErr(str2);
          hasColors = this._outputConfiguration.getErrHasColors();
          helpWidth = this._outputConfiguration.getErrHelpWidth();
        } else {
          baseWrite = (str2) => this._outputConfiguration.writeOut(str2);
          hasColors = this._outputConfiguration.getOutHasColors();
          helpWidth = this._outputConfiguration.getOutHelpWidth();
        }
        const write = (str2) => {
          if (!hasColors) str2 = this._outputConfiguration.stripColor(str2);
          return baseWrite(str2);
        };
        return { error, write, hasColors, helpWidth };
      }
      /**
       * Output help information for this command.
       *
       * Outputs built-in help, and custom text added using `.addHelpText()`.
       *
       * @param {{ error: boolean } | Function} [contextOptions] - pass {error:true} to write to stderr instead of stdout
       */
      outputHelp(contextOptions) {
        let deprecatedCallback;
        if (typeof contextOptions === "function") {
          deprecatedCallback = contextOptions;
          contextOptions = void 0;
        }
        const outputContext = this._getOutputContext(contextOptions);
        const eventContext = {
          error: outputContext.error,
          write: outputContext.write,
          command: this
        };
        this._getCommandAndAncestors().reverse().forEach((command) => command.emit("beforeAllHelp", eventContext));
        this.emit("beforeHelp", eventContext);
        let helpInformation = this.helpInformation({ error: outputContext.error });
        if (deprecatedCallback) {
          helpInformation = deprecatedCallback(helpInformation);
          if (typeof helpInformation !== "string" && !Buffer.isBuffer(helpInformation)) {
            throw new Error("outputHelp callback must return a string or a Buffer");
          }
        }
        outputContext.write(helpInformation);
        if (this._getHelpOption()?.long) {
          this.emit(this._getHelpOption().long);
        }
        this.emit("afterHelp", eventContext);
        this._getCommandAndAncestors().forEach(
          (command) => command.emit("afterAllHelp", eventContext)
        );
      }
      /**
       * You can pass in flags and a description to customise the built-in help option.
       * Pass in false to disable the built-in help option.
       *
       * @example
       * program.helpOption('-?, --help' 'show help'); // customise
       * program.helpOption(false); // disable
       *
       * @param {(string | boolean)} flags
       * @param {string} [description]
       * @return {Command} `this` command for chaining
       */
      helpOption(flags, description) {
        if (typeof flags === "boolean") {
          if (flags) {
            this._helpOption = this._helpOption ?? void 0;
          } else {
            this._helpOption = null;
          }
          return this;
        }
        flags = flags ?? "-h, --help";
        description = description ?? "display help for command";
        this._helpOption = this.createOption(flags, description);
        return this;
      }
      /**
       * Lazy create help option.
       * Returns null if has been disabled with .helpOption(false).
       *
       * @returns {(Option | null)} the help option
       * @package
       */
      _getHelpOption() {
        if (this._helpOption === void 0) {
          this.helpOption(void 0, void 0);
        }
        return this._helpOption;
      }
      /**
       * Supply your own option to use for the built-in help option.
       * This is an alternative to using helpOption() to customise the flags and description etc.
       *
       * @param {Option} option
       * @return {Command} `this` command for chaining
       */
      addHelpOption(option) {
        this._helpOption = option;
        return this;
      }
      /**
       * Output help information and exit.
       *
       * Outputs built-in help, and custom text added using `.addHelpText()`.
       *
       * @param {{ error: boolean }} [contextOptions] - pass {error:true} to write to stderr instead of stdout
       */
      help(contextOptions) {
        this.outputHelp(contextOptions);
        let exitCode = Number(process2.exitCode ?? 0);
        if (exitCode === 0 && contextOptions && typeof contextOptions !== "function" && contextOptions.error) {
          exitCode = 1;
        }
        this._exit(exitCode, "commander.help", "(outputHelp)");
      }
      /**
       * // Do a little typing to coordinate emit and listener for the help text events.
       * @typedef HelpTextEventContext
       * @type {object}
       * @property {boolean} error
       * @property {Command} command
       * @property {function} write
       */
      /**
       * Add additional text to be displayed with the built-in help.
       *
       * Position is 'before' or 'after' to affect just this command,
       * and 'beforeAll' or 'afterAll' to affect this command and all its subcommands.
       *
       * @param {string} position - before or after built-in help
       * @param {(string | Function)} text - string to add, or a function returning a string
       * @return {Command} `this` command for chaining
       */
      addHelpText(position, text) {
        const allowedValues = ["beforeAll", "before", "after", "afterAll"];
        if (!allowedValues.includes(position)) {
          throw new Error(`Unexpected value for position to addHelpText.
Expecting one of '${allowedValues.join("', '")}'`);
        }
        const helpEvent = `${position}Help`;
        this.on(helpEvent, (context) => {
          let helpStr;
          if (typeof text === "function") {
            helpStr = text({ error: context.error, command: context.command });
          } else {
            helpStr = text;
          }
          if (helpStr) {
            context.write(`${helpStr}
`);
          }
        });
        return this;
      }
      /**
       * Output help information if help flags specified
       *
       * @param {Array} args - array of options to search for help flags
       * @private
       */
      _outputHelpIfRequested(args) {
        const helpOption = this._getHelpOption();
        const helpRequested = helpOption && args.find((arg) => helpOption.is(arg));
        if (helpRequested) {
          this.outputHelp();
          this._exit(0, "commander.helpDisplayed", "(outputHelp)");
        }
      }
    };
    function incrementNodeInspectorPort(args) {
      return args.map((arg) => {
        if (!arg.startsWith("--inspect")) {
          return arg;
        }
        let debugOption;
        let debugHost = "127.0.0.1";
        let debugPort = "9229";
        let match;
        if ((match = arg.match(/^(--inspect(-brk)?)$/)) !== null) {
          debugOption = match[1];
        } else if ((match = arg.match(/^(--inspect(-brk|-port)?)=([^:]+)$/)) !== null) {
          debugOption = match[1];
          if (/^\d+$/.test(match[3])) {
            debugPort = match[3];
          } else {
            debugHost = match[3];
          }
        } else if ((match = arg.match(/^(--inspect(-brk|-port)?)=([^:]+):(\d+)$/)) !== null) {
          debugOption = match[1];
          debugHost = match[3];
          debugPort = match[4];
        }
        if (debugOption && debugPort !== "0") {
          return `${debugOption}=${debugHost}:${parseInt(debugPort) + 1}`;
        }
        return arg;
      });
    }
    function useColor() {
      if (process2.env.NO_COLOR || process2.env.FORCE_COLOR === "0" || process2.env.FORCE_COLOR === "false")
        return false;
      if (process2.env.FORCE_COLOR || process2.env.CLICOLOR_FORCE !== void 0)
        return true;
      return void 0;
    }
    exports.Command = Command2;
    exports.useColor = useColor;
  }
});

// node_modules/commander/index.js
var require_commander = __commonJS({
  "node_modules/commander/index.js"(exports) {
    var { Argument: Argument2 } = require_argument();
    var { Command: Command2 } = require_command();
    var { CommanderError: CommanderError2, InvalidArgumentError: InvalidArgumentError2 } = require_error();
    var { Help: Help2 } = require_help();
    var { Option: Option2 } = require_option();
    exports.program = new Command2();
    exports.createCommand = (name) => new Command2(name);
    exports.createOption = (flags, description) => new Option2(flags, description);
    exports.createArgument = (name, description) => new Argument2(name, description);
    exports.Command = Command2;
    exports.Option = Option2;
    exports.Argument = Argument2;
    exports.Help = Help2;
    exports.CommanderError = CommanderError2;
    exports.InvalidArgumentError = InvalidArgumentError2;
    exports.InvalidOptionArgumentError = InvalidArgumentError2;
  }
});

// node_modules/yaml/dist/nodes/identity.js
var require_identity = __commonJS({
  "node_modules/yaml/dist/nodes/identity.js"(exports) {
    "use strict";
    var ALIAS = /* @__PURE__ */ Symbol.for("yaml.alias");
    var DOC = /* @__PURE__ */ Symbol.for("yaml.document");
    var MAP = /* @__PURE__ */ Symbol.for("yaml.map");
    var PAIR = /* @__PURE__ */ Symbol.for("yaml.pair");
    var SCALAR = /* @__PURE__ */ Symbol.for("yaml.scalar");
    var SEQ = /* @__PURE__ */ Symbol.for("yaml.seq");
    var NODE_TYPE = /* @__PURE__ */ Symbol.for("yaml.node.type");
    var isAlias = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === ALIAS;
    var isDocument = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === DOC;
    var isMap = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === MAP;
    var isPair = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === PAIR;
    var isScalar = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === SCALAR;
    var isSeq = (node) => !!node && typeof node === "object" && node[NODE_TYPE] === SEQ;
    function isCollection(node) {
      if (node && typeof node === "object")
        switch (node[NODE_TYPE]) {
          case MAP:
          case SEQ:
            return true;
        }
      return false;
    }
    function isNode(node) {
      if (node && typeof node === "object")
        switch (node[NODE_TYPE]) {
          case ALIAS:
          case MAP:
          case SCALAR:
          case SEQ:
            return true;
        }
      return false;
    }
    var hasAnchor = (node) => (isScalar(node) || isCollection(node)) && !!node.anchor;
    exports.ALIAS = ALIAS;
    exports.DOC = DOC;
    exports.MAP = MAP;
    exports.NODE_TYPE = NODE_TYPE;
    exports.PAIR = PAIR;
    exports.SCALAR = SCALAR;
    exports.SEQ = SEQ;
    exports.hasAnchor = hasAnchor;
    exports.isAlias = isAlias;
    exports.isCollection = isCollection;
    exports.isDocument = isDocument;
    exports.isMap = isMap;
    exports.isNode = isNode;
    exports.isPair = isPair;
    exports.isScalar = isScalar;
    exports.isSeq = isSeq;
  }
});

// node_modules/yaml/dist/visit.js
var require_visit = __commonJS({
  "node_modules/yaml/dist/visit.js"(exports) {
    "use strict";
    var identity = require_identity();
    var BREAK = /* @__PURE__ */ Symbol("break visit");
    var SKIP = /* @__PURE__ */ Symbol("skip children");
    var REMOVE = /* @__PURE__ */ Symbol("remove node");
    function visit(node, visitor) {
      const visitor_ = initVisitor(visitor);
      if (identity.isDocument(node)) {
        const cd = visit_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
          node.contents = null;
      } else
        visit_(null, node, visitor_, Object.freeze([]));
    }
    visit.BREAK = BREAK;
    visit.SKIP = SKIP;
    visit.REMOVE = REMOVE;
    function visit_(key, node, visitor, path6) {
      const ctrl = callVisitor(key, node, visitor, path6);
      if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path6, ctrl);
        return visit_(key, ctrl, visitor, path6);
      }
      if (typeof ctrl !== "symbol") {
        if (identity.isCollection(node)) {
          path6 = Object.freeze(path6.concat(node));
          for (let i = 0; i < node.items.length; ++i) {
            const ci = visit_(i, node.items[i], visitor, path6);
            if (typeof ci === "number")
              i = ci - 1;
            else if (ci === BREAK)
              return BREAK;
            else if (ci === REMOVE) {
              node.items.splice(i, 1);
              i -= 1;
            }
          }
        } else if (identity.isPair(node)) {
          path6 = Object.freeze(path6.concat(node));
          const ck = visit_("key", node.key, visitor, path6);
          if (ck === BREAK)
            return BREAK;
          else if (ck === REMOVE)
            node.key = null;
          const cv = visit_("value", node.value, visitor, path6);
          if (cv === BREAK)
            return BREAK;
          else if (cv === REMOVE)
            node.value = null;
        }
      }
      return ctrl;
    }
    async function visitAsync(node, visitor) {
      const visitor_ = initVisitor(visitor);
      if (identity.isDocument(node)) {
        const cd = await visitAsync_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
          node.contents = null;
      } else
        await visitAsync_(null, node, visitor_, Object.freeze([]));
    }
    visitAsync.BREAK = BREAK;
    visitAsync.SKIP = SKIP;
    visitAsync.REMOVE = REMOVE;
    async function visitAsync_(key, node, visitor, path6) {
      const ctrl = await callVisitor(key, node, visitor, path6);
      if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path6, ctrl);
        return visitAsync_(key, ctrl, visitor, path6);
      }
      if (typeof ctrl !== "symbol") {
        if (identity.isCollection(node)) {
          path6 = Object.freeze(path6.concat(node));
          for (let i = 0; i < node.items.length; ++i) {
            const ci = await visitAsync_(i, node.items[i], visitor, path6);
            if (typeof ci === "number")
              i = ci - 1;
            else if (ci === BREAK)
              return BREAK;
            else if (ci === REMOVE) {
              node.items.splice(i, 1);
              i -= 1;
            }
          }
        } else if (identity.isPair(node)) {
          path6 = Object.freeze(path6.concat(node));
          const ck = await visitAsync_("key", node.key, visitor, path6);
          if (ck === BREAK)
            return BREAK;
          else if (ck === REMOVE)
            node.key = null;
          const cv = await visitAsync_("value", node.value, visitor, path6);
          if (cv === BREAK)
            return BREAK;
          else if (cv === REMOVE)
            node.value = null;
        }
      }
      return ctrl;
    }
    function initVisitor(visitor) {
      if (typeof visitor === "object" && (visitor.Collection || visitor.Node || visitor.Value)) {
        return Object.assign({
          Alias: visitor.Node,
          Map: visitor.Node,
          Scalar: visitor.Node,
          Seq: visitor.Node
        }, visitor.Value && {
          Map: visitor.Value,
          Scalar: visitor.Value,
          Seq: visitor.Value
        }, visitor.Collection && {
          Map: visitor.Collection,
          Seq: visitor.Collection
        }, visitor);
      }
      return visitor;
    }
    function callVisitor(key, node, visitor, path6) {
      if (typeof visitor === "function")
        return visitor(key, node, path6);
      if (identity.isMap(node))
        return visitor.Map?.(key, node, path6);
      if (identity.isSeq(node))
        return visitor.Seq?.(key, node, path6);
      if (identity.isPair(node))
        return visitor.Pair?.(key, node, path6);
      if (identity.isScalar(node))
        return visitor.Scalar?.(key, node, path6);
      if (identity.isAlias(node))
        return visitor.Alias?.(key, node, path6);
      return void 0;
    }
    function replaceNode(key, path6, node) {
      const parent = path6[path6.length - 1];
      if (identity.isCollection(parent)) {
        parent.items[key] = node;
      } else if (identity.isPair(parent)) {
        if (key === "key")
          parent.key = node;
        else
          parent.value = node;
      } else if (identity.isDocument(parent)) {
        parent.contents = node;
      } else {
        const pt = identity.isAlias(parent) ? "alias" : "scalar";
        throw new Error(`Cannot replace node with ${pt} parent`);
      }
    }
    exports.visit = visit;
    exports.visitAsync = visitAsync;
  }
});

// node_modules/yaml/dist/doc/directives.js
var require_directives = __commonJS({
  "node_modules/yaml/dist/doc/directives.js"(exports) {
    "use strict";
    var identity = require_identity();
    var visit = require_visit();
    var escapeChars = {
      "!": "%21",
      ",": "%2C",
      "[": "%5B",
      "]": "%5D",
      "{": "%7B",
      "}": "%7D"
    };
    var escapeTagName = (tn) => tn.replace(/[!,[\]{}]/g, (ch) => escapeChars[ch]);
    var Directives = class _Directives {
      constructor(yaml, tags) {
        this.docStart = null;
        this.docEnd = false;
        this.yaml = Object.assign({}, _Directives.defaultYaml, yaml);
        this.tags = Object.assign({}, _Directives.defaultTags, tags);
      }
      clone() {
        const copy = new _Directives(this.yaml, this.tags);
        copy.docStart = this.docStart;
        return copy;
      }
      /**
       * During parsing, get a Directives instance for the current document and
       * update the stream state according to the current version's spec.
       */
      atDocument() {
        const res = new _Directives(this.yaml, this.tags);
        switch (this.yaml.version) {
          case "1.1":
            this.atNextDocument = true;
            break;
          case "1.2":
            this.atNextDocument = false;
            this.yaml = {
              explicit: _Directives.defaultYaml.explicit,
              version: "1.2"
            };
            this.tags = Object.assign({}, _Directives.defaultTags);
            break;
        }
        return res;
      }
      /**
       * @param onError - May be called even if the action was successful
       * @returns `true` on success
       */
      add(line, onError) {
        if (this.atNextDocument) {
          this.yaml = { explicit: _Directives.defaultYaml.explicit, version: "1.1" };
          this.tags = Object.assign({}, _Directives.defaultTags);
          this.atNextDocument = false;
        }
        const parts = line.trim().split(/[ \t]+/);
        const name = parts.shift();
        switch (name) {
          case "%TAG": {
            if (parts.length !== 2) {
              onError(0, "%TAG directive should contain exactly two parts");
              if (parts.length < 2)
                return false;
            }
            const [handle, prefix] = parts;
            this.tags[handle] = prefix;
            return true;
          }
          case "%YAML": {
            this.yaml.explicit = true;
            if (parts.length !== 1) {
              onError(0, "%YAML directive should contain exactly one part");
              return false;
            }
            const [version] = parts;
            if (version === "1.1" || version === "1.2") {
              this.yaml.version = version;
              return true;
            } else {
              const isValid = /^\d+\.\d+$/.test(version);
              onError(6, `Unsupported YAML version ${version}`, isValid);
              return false;
            }
          }
          default:
            onError(0, `Unknown directive ${name}`, true);
            return false;
        }
      }
      /**
       * Resolves a tag, matching handles to those defined in %TAG directives.
       *
       * @returns Resolved tag, which may also be the non-specific tag `'!'` or a
       *   `'!local'` tag, or `null` if unresolvable.
       */
      tagName(source, onError) {
        if (source === "!")
          return "!";
        if (source[0] !== "!") {
          onError(`Not a valid tag: ${source}`);
          return null;
        }
        if (source[1] === "<") {
          const verbatim = source.slice(2, -1);
          if (verbatim === "!" || verbatim === "!!") {
            onError(`Verbatim tags aren't resolved, so ${source} is invalid.`);
            return null;
          }
          if (source[source.length - 1] !== ">")
            onError("Verbatim tags must end with a >");
          return verbatim;
        }
        const [, handle, suffix] = source.match(/^(.*!)([^!]*)$/s);
        if (!suffix)
          onError(`The ${source} tag has no suffix`);
        const prefix = this.tags[handle];
        if (prefix) {
          try {
            return prefix + decodeURIComponent(suffix);
          } catch (error) {
            onError(String(error));
            return null;
          }
        }
        if (handle === "!")
          return source;
        onError(`Could not resolve tag: ${source}`);
        return null;
      }
      /**
       * Given a fully resolved tag, returns its printable string form,
       * taking into account current tag prefixes and defaults.
       */
      tagString(tag) {
        for (const [handle, prefix] of Object.entries(this.tags)) {
          if (tag.startsWith(prefix))
            return handle + escapeTagName(tag.substring(prefix.length));
        }
        return tag[0] === "!" ? tag : `!<${tag}>`;
      }
      toString(doc) {
        const lines = this.yaml.explicit ? [`%YAML ${this.yaml.version || "1.2"}`] : [];
        const tagEntries = Object.entries(this.tags);
        let tagNames;
        if (doc && tagEntries.length > 0 && identity.isNode(doc.contents)) {
          const tags = {};
          visit.visit(doc.contents, (_key, node) => {
            if (identity.isNode(node) && node.tag)
              tags[node.tag] = true;
          });
          tagNames = Object.keys(tags);
        } else
          tagNames = [];
        for (const [handle, prefix] of tagEntries) {
          if (handle === "!!" && prefix === "tag:yaml.org,2002:")
            continue;
          if (!doc || tagNames.some((tn) => tn.startsWith(prefix)))
            lines.push(`%TAG ${handle} ${prefix}`);
        }
        return lines.join("\n");
      }
    };
    Directives.defaultYaml = { explicit: false, version: "1.2" };
    Directives.defaultTags = { "!!": "tag:yaml.org,2002:" };
    exports.Directives = Directives;
  }
});

// node_modules/yaml/dist/doc/anchors.js
var require_anchors = __commonJS({
  "node_modules/yaml/dist/doc/anchors.js"(exports) {
    "use strict";
    var identity = require_identity();
    var visit = require_visit();
    function anchorIsValid(anchor) {
      if (/[\x00-\x19\s,[\]{}]/.test(anchor)) {
        const sa = JSON.stringify(anchor);
        const msg = `Anchor must not contain whitespace or control characters: ${sa}`;
        throw new Error(msg);
      }
      return true;
    }
    function anchorNames(root2) {
      const anchors = /* @__PURE__ */ new Set();
      visit.visit(root2, {
        Value(_key, node) {
          if (node.anchor)
            anchors.add(node.anchor);
        }
      });
      return anchors;
    }
    function findNewAnchor(prefix, exclude) {
      for (let i = 1; true; ++i) {
        const name = `${prefix}${i}`;
        if (!exclude.has(name))
          return name;
      }
    }
    function createNodeAnchors(doc, prefix) {
      const aliasObjects = [];
      const sourceObjects = /* @__PURE__ */ new Map();
      let prevAnchors = null;
      return {
        onAnchor: (source) => {
          aliasObjects.push(source);
          prevAnchors ?? (prevAnchors = anchorNames(doc));
          const anchor = findNewAnchor(prefix, prevAnchors);
          prevAnchors.add(anchor);
          return anchor;
        },
        /**
         * With circular references, the source node is only resolved after all
         * of its child nodes are. This is why anchors are set only after all of
         * the nodes have been created.
         */
        setAnchors: () => {
          for (const source of aliasObjects) {
            const ref = sourceObjects.get(source);
            if (typeof ref === "object" && ref.anchor && (identity.isScalar(ref.node) || identity.isCollection(ref.node))) {
              ref.node.anchor = ref.anchor;
            } else {
              const error = new Error("Failed to resolve repeated object (this should not happen)");
              error.source = source;
              throw error;
            }
          }
        },
        sourceObjects
      };
    }
    exports.anchorIsValid = anchorIsValid;
    exports.anchorNames = anchorNames;
    exports.createNodeAnchors = createNodeAnchors;
    exports.findNewAnchor = findNewAnchor;
  }
});

// node_modules/yaml/dist/doc/applyReviver.js
var require_applyReviver = __commonJS({
  "node_modules/yaml/dist/doc/applyReviver.js"(exports) {
    "use strict";
    function applyReviver(reviver, obj2, key, val) {
      if (val && typeof val === "object") {
        if (Array.isArray(val)) {
          for (let i = 0, len = val.length; i < len; ++i) {
            const v0 = val[i];
            const v1 = applyReviver(reviver, val, String(i), v0);
            if (v1 === void 0)
              delete val[i];
            else if (v1 !== v0)
              val[i] = v1;
          }
        } else if (val instanceof Map) {
          for (const k of Array.from(val.keys())) {
            const v0 = val.get(k);
            const v1 = applyReviver(reviver, val, k, v0);
            if (v1 === void 0)
              val.delete(k);
            else if (v1 !== v0)
              val.set(k, v1);
          }
        } else if (val instanceof Set) {
          for (const v0 of Array.from(val)) {
            const v1 = applyReviver(reviver, val, v0, v0);
            if (v1 === void 0)
              val.delete(v0);
            else if (v1 !== v0) {
              val.delete(v0);
              val.add(v1);
            }
          }
        } else {
          for (const [k, v0] of Object.entries(val)) {
            const v1 = applyReviver(reviver, val, k, v0);
            if (v1 === void 0)
              delete val[k];
            else if (v1 !== v0)
              val[k] = v1;
          }
        }
      }
      return reviver.call(obj2, key, val);
    }
    exports.applyReviver = applyReviver;
  }
});

// node_modules/yaml/dist/nodes/toJS.js
var require_toJS = __commonJS({
  "node_modules/yaml/dist/nodes/toJS.js"(exports) {
    "use strict";
    var identity = require_identity();
    function toJS(value, arg, ctx) {
      if (Array.isArray(value))
        return value.map((v, i) => toJS(v, String(i), ctx));
      if (value && typeof value.toJSON === "function") {
        if (!ctx || !identity.hasAnchor(value))
          return value.toJSON(arg, ctx);
        const data = { aliasCount: 0, count: 1, res: void 0 };
        ctx.anchors.set(value, data);
        ctx.onCreate = (res2) => {
          data.res = res2;
          delete ctx.onCreate;
        };
        const res = value.toJSON(arg, ctx);
        if (ctx.onCreate)
          ctx.onCreate(res);
        return res;
      }
      if (typeof value === "bigint" && !ctx?.keep)
        return Number(value);
      return value;
    }
    exports.toJS = toJS;
  }
});

// node_modules/yaml/dist/nodes/Node.js
var require_Node = __commonJS({
  "node_modules/yaml/dist/nodes/Node.js"(exports) {
    "use strict";
    var applyReviver = require_applyReviver();
    var identity = require_identity();
    var toJS = require_toJS();
    var NodeBase = class {
      constructor(type) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: type });
      }
      /** Create a copy of this node.  */
      clone() {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (this.range)
          copy.range = this.range.slice();
        return copy;
      }
      /** A plain JavaScript representation of this node. */
      toJS(doc, { mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        if (!identity.isDocument(doc))
          throw new TypeError("A document argument is required");
        const ctx = {
          anchors: /* @__PURE__ */ new Map(),
          doc,
          keep: true,
          mapAsMap: mapAsMap === true,
          mapKeyWarned: false,
          maxAliasCount: typeof maxAliasCount === "number" ? maxAliasCount : 100
        };
        const res = toJS.toJS(this, "", ctx);
        if (typeof onAnchor === "function")
          for (const { count, res: res2 } of ctx.anchors.values())
            onAnchor(res2, count);
        return typeof reviver === "function" ? applyReviver.applyReviver(reviver, { "": res }, "", res) : res;
      }
    };
    exports.NodeBase = NodeBase;
  }
});

// node_modules/yaml/dist/nodes/Alias.js
var require_Alias = __commonJS({
  "node_modules/yaml/dist/nodes/Alias.js"(exports) {
    "use strict";
    var anchors = require_anchors();
    var visit = require_visit();
    var identity = require_identity();
    var Node = require_Node();
    var toJS = require_toJS();
    var Alias = class extends Node.NodeBase {
      constructor(source) {
        super(identity.ALIAS);
        this.source = source;
        Object.defineProperty(this, "tag", {
          set() {
            throw new Error("Alias nodes cannot have tags");
          }
        });
      }
      /**
       * Resolve the value of this alias within `doc`, finding the last
       * instance of the `source` anchor before this node.
       */
      resolve(doc, ctx) {
        if (ctx?.maxAliasCount === 0)
          throw new ReferenceError("Alias resolution is disabled");
        let nodes;
        if (ctx?.aliasResolveCache) {
          nodes = ctx.aliasResolveCache;
        } else {
          nodes = [];
          visit.visit(doc, {
            Node: (_key, node) => {
              if (identity.isAlias(node) || identity.hasAnchor(node))
                nodes.push(node);
            }
          });
          if (ctx)
            ctx.aliasResolveCache = nodes;
        }
        let found = void 0;
        for (const node of nodes) {
          if (node === this)
            break;
          if (node.anchor === this.source)
            found = node;
        }
        if (found && ctx) {
          const { anchors: anchors2, doc: doc2, maxAliasCount } = ctx;
          let data = anchors2.get(found);
          if (!data) {
            toJS.toJS(found, null, ctx);
            data = anchors2.get(found);
          }
          if (data?.res === void 0) {
            const msg = "This should not happen: Alias anchor was not resolved?";
            throw new ReferenceError(msg);
          }
          if (maxAliasCount >= 0) {
            data.count += 1;
            if (data.aliasCount === 0)
              data.aliasCount = getAliasCount(doc2, found, anchors2);
            if (data.count * data.aliasCount > maxAliasCount) {
              const msg = "Excessive alias count indicates a resource exhaustion attack";
              throw new ReferenceError(msg);
            }
          }
        }
        return found;
      }
      toJSON(_arg, ctx) {
        if (!ctx)
          return { source: this.source };
        const source = this.resolve(ctx.doc, ctx);
        if (!source) {
          const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
          throw new ReferenceError(msg);
        }
        return ctx.anchors.get(source).res;
      }
      toString(ctx, _onComment, _onChompKeep) {
        const src = `*${this.source}`;
        if (ctx) {
          anchors.anchorIsValid(this.source);
          if (ctx.options.verifyAliasOrder && !ctx.anchors.has(this.source)) {
            const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
            throw new Error(msg);
          }
          if (ctx.implicitKey)
            return `${src} `;
        }
        return src;
      }
    };
    function getAliasCount(doc, node, anchors2) {
      if (identity.isAlias(node)) {
        const source = node.resolve(doc);
        const anchor = anchors2 && source && anchors2.get(source);
        return anchor ? anchor.count * anchor.aliasCount : 0;
      } else if (identity.isCollection(node)) {
        let count = 0;
        for (const item of node.items) {
          const c = getAliasCount(doc, item, anchors2);
          if (c > count)
            count = c;
        }
        return count;
      } else if (identity.isPair(node)) {
        const kc = getAliasCount(doc, node.key, anchors2);
        const vc = getAliasCount(doc, node.value, anchors2);
        return Math.max(kc, vc);
      }
      return 1;
    }
    exports.Alias = Alias;
  }
});

// node_modules/yaml/dist/nodes/Scalar.js
var require_Scalar = __commonJS({
  "node_modules/yaml/dist/nodes/Scalar.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Node = require_Node();
    var toJS = require_toJS();
    var isScalarValue = (value) => !value || typeof value !== "function" && typeof value !== "object";
    var Scalar = class extends Node.NodeBase {
      constructor(value) {
        super(identity.SCALAR);
        this.value = value;
      }
      toJSON(arg, ctx) {
        return ctx?.keep ? this.value : toJS.toJS(this.value, arg, ctx);
      }
      toString() {
        return String(this.value);
      }
    };
    Scalar.BLOCK_FOLDED = "BLOCK_FOLDED";
    Scalar.BLOCK_LITERAL = "BLOCK_LITERAL";
    Scalar.PLAIN = "PLAIN";
    Scalar.QUOTE_DOUBLE = "QUOTE_DOUBLE";
    Scalar.QUOTE_SINGLE = "QUOTE_SINGLE";
    exports.Scalar = Scalar;
    exports.isScalarValue = isScalarValue;
  }
});

// node_modules/yaml/dist/doc/createNode.js
var require_createNode = __commonJS({
  "node_modules/yaml/dist/doc/createNode.js"(exports) {
    "use strict";
    var Alias = require_Alias();
    var identity = require_identity();
    var Scalar = require_Scalar();
    var defaultTagPrefix = "tag:yaml.org,2002:";
    function findTagObject(value, tagName, tags) {
      if (tagName) {
        const match = tags.filter((t) => t.tag === tagName);
        const tagObj = match.find((t) => !t.format) ?? match[0];
        if (!tagObj)
          throw new Error(`Tag ${tagName} not found`);
        return tagObj;
      }
      return tags.find((t) => t.identify?.(value) && !t.format);
    }
    function createNode(value, tagName, ctx) {
      if (identity.isDocument(value))
        value = value.contents;
      if (identity.isNode(value))
        return value;
      if (identity.isPair(value)) {
        const map = ctx.schema[identity.MAP].createNode?.(ctx.schema, null, ctx);
        map.items.push(value);
        return map;
      }
      if (value instanceof String || value instanceof Number || value instanceof Boolean || typeof BigInt !== "undefined" && value instanceof BigInt) {
        value = value.valueOf();
      }
      const { aliasDuplicateObjects, onAnchor, onTagObj, schema, sourceObjects } = ctx;
      let ref = void 0;
      if (aliasDuplicateObjects && value && typeof value === "object") {
        ref = sourceObjects.get(value);
        if (ref) {
          ref.anchor ?? (ref.anchor = onAnchor(value));
          return new Alias.Alias(ref.anchor);
        } else {
          ref = { anchor: null, node: null };
          sourceObjects.set(value, ref);
        }
      }
      if (tagName?.startsWith("!!"))
        tagName = defaultTagPrefix + tagName.slice(2);
      let tagObj = findTagObject(value, tagName, schema.tags);
      if (!tagObj) {
        if (value && typeof value.toJSON === "function") {
          value = value.toJSON();
        }
        if (!value || typeof value !== "object") {
          const node2 = new Scalar.Scalar(value);
          if (ref)
            ref.node = node2;
          return node2;
        }
        tagObj = value instanceof Map ? schema[identity.MAP] : Symbol.iterator in Object(value) ? schema[identity.SEQ] : schema[identity.MAP];
      }
      if (onTagObj) {
        onTagObj(tagObj);
        delete ctx.onTagObj;
      }
      const node = tagObj?.createNode ? tagObj.createNode(ctx.schema, value, ctx) : typeof tagObj?.nodeClass?.from === "function" ? tagObj.nodeClass.from(ctx.schema, value, ctx) : new Scalar.Scalar(value);
      if (tagName)
        node.tag = tagName;
      else if (!tagObj.default)
        node.tag = tagObj.tag;
      if (ref)
        ref.node = node;
      return node;
    }
    exports.createNode = createNode;
  }
});

// node_modules/yaml/dist/nodes/Collection.js
var require_Collection = __commonJS({
  "node_modules/yaml/dist/nodes/Collection.js"(exports) {
    "use strict";
    var createNode = require_createNode();
    var identity = require_identity();
    var Node = require_Node();
    function collectionFromPath(schema, path6, value) {
      let v = value;
      for (let i = path6.length - 1; i >= 0; --i) {
        const k = path6[i];
        if (typeof k === "number" && Number.isInteger(k) && k >= 0) {
          const a = [];
          a[k] = v;
          v = a;
        } else {
          v = /* @__PURE__ */ new Map([[k, v]]);
        }
      }
      return createNode.createNode(v, void 0, {
        aliasDuplicateObjects: false,
        keepUndefined: false,
        onAnchor: () => {
          throw new Error("This should not happen, please report a bug.");
        },
        schema,
        sourceObjects: /* @__PURE__ */ new Map()
      });
    }
    var isEmptyPath = (path6) => path6 == null || typeof path6 === "object" && !!path6[Symbol.iterator]().next().done;
    var Collection = class extends Node.NodeBase {
      constructor(type, schema) {
        super(type);
        Object.defineProperty(this, "schema", {
          value: schema,
          configurable: true,
          enumerable: false,
          writable: true
        });
      }
      /**
       * Create a copy of this collection.
       *
       * @param schema - If defined, overwrites the original's schema
       */
      clone(schema) {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (schema)
          copy.schema = schema;
        copy.items = copy.items.map((it) => identity.isNode(it) || identity.isPair(it) ? it.clone(schema) : it);
        if (this.range)
          copy.range = this.range.slice();
        return copy;
      }
      /**
       * Adds a value to the collection. For `!!map` and `!!omap` the value must
       * be a Pair instance or a `{ key, value }` object, which may not have a key
       * that already exists in the map.
       */
      addIn(path6, value) {
        if (isEmptyPath(path6))
          this.add(value);
        else {
          const [key, ...rest] = path6;
          const node = this.get(key, true);
          if (identity.isCollection(node))
            node.addIn(rest, value);
          else if (node === void 0 && this.schema)
            this.set(key, collectionFromPath(this.schema, rest, value));
          else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
      }
      /**
       * Removes a value from the collection.
       * @returns `true` if the item was found and removed.
       */
      deleteIn(path6) {
        const [key, ...rest] = path6;
        if (rest.length === 0)
          return this.delete(key);
        const node = this.get(key, true);
        if (identity.isCollection(node))
          return node.deleteIn(rest);
        else
          throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
      }
      /**
       * Returns item at `key`, or `undefined` if not found. By default unwraps
       * scalar values from their surrounding node; to disable set `keepScalar` to
       * `true` (collections are always returned intact).
       */
      getIn(path6, keepScalar) {
        const [key, ...rest] = path6;
        const node = this.get(key, true);
        if (rest.length === 0)
          return !keepScalar && identity.isScalar(node) ? node.value : node;
        else
          return identity.isCollection(node) ? node.getIn(rest, keepScalar) : void 0;
      }
      hasAllNullValues(allowScalar) {
        return this.items.every((node) => {
          if (!identity.isPair(node))
            return false;
          const n = node.value;
          return n == null || allowScalar && identity.isScalar(n) && n.value == null && !n.commentBefore && !n.comment && !n.tag;
        });
      }
      /**
       * Checks if the collection includes a value with the key `key`.
       */
      hasIn(path6) {
        const [key, ...rest] = path6;
        if (rest.length === 0)
          return this.has(key);
        const node = this.get(key, true);
        return identity.isCollection(node) ? node.hasIn(rest) : false;
      }
      /**
       * Sets a value in this collection. For `!!set`, `value` needs to be a
       * boolean to add/remove the item from the set.
       */
      setIn(path6, value) {
        const [key, ...rest] = path6;
        if (rest.length === 0) {
          this.set(key, value);
        } else {
          const node = this.get(key, true);
          if (identity.isCollection(node))
            node.setIn(rest, value);
          else if (node === void 0 && this.schema)
            this.set(key, collectionFromPath(this.schema, rest, value));
          else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
      }
    };
    exports.Collection = Collection;
    exports.collectionFromPath = collectionFromPath;
    exports.isEmptyPath = isEmptyPath;
  }
});

// node_modules/yaml/dist/stringify/stringifyComment.js
var require_stringifyComment = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyComment.js"(exports) {
    "use strict";
    var stringifyComment = (str2) => str2.replace(/^(?!$)(?: $)?/gm, "#");
    function indentComment(comment, indent2) {
      if (/^\n+$/.test(comment))
        return comment.substring(1);
      return indent2 ? comment.replace(/^(?! *$)/gm, indent2) : comment;
    }
    var lineComment = (str2, indent2, comment) => str2.endsWith("\n") ? indentComment(comment, indent2) : comment.includes("\n") ? "\n" + indentComment(comment, indent2) : (str2.endsWith(" ") ? "" : " ") + comment;
    exports.indentComment = indentComment;
    exports.lineComment = lineComment;
    exports.stringifyComment = stringifyComment;
  }
});

// node_modules/yaml/dist/stringify/foldFlowLines.js
var require_foldFlowLines = __commonJS({
  "node_modules/yaml/dist/stringify/foldFlowLines.js"(exports) {
    "use strict";
    var FOLD_FLOW = "flow";
    var FOLD_BLOCK = "block";
    var FOLD_QUOTED = "quoted";
    function foldFlowLines(text, indent2, mode = "flow", { indentAtStart, lineWidth = 80, minContentWidth = 20, onFold, onOverflow } = {}) {
      if (!lineWidth || lineWidth < 0)
        return text;
      if (lineWidth < minContentWidth)
        minContentWidth = 0;
      const endStep = Math.max(1 + minContentWidth, 1 + lineWidth - indent2.length);
      if (text.length <= endStep)
        return text;
      const folds = [];
      const escapedFolds = {};
      let end = lineWidth - indent2.length;
      if (typeof indentAtStart === "number") {
        if (indentAtStart > lineWidth - Math.max(2, minContentWidth))
          folds.push(0);
        else
          end = lineWidth - indentAtStart;
      }
      let split = void 0;
      let prev = void 0;
      let overflow = false;
      let i = -1;
      let escStart = -1;
      let escEnd = -1;
      if (mode === FOLD_BLOCK) {
        i = consumeMoreIndentedLines(text, i, indent2.length);
        if (i !== -1)
          end = i + endStep;
      }
      for (let ch; ch = text[i += 1]; ) {
        if (mode === FOLD_QUOTED && ch === "\\") {
          escStart = i;
          switch (text[i + 1]) {
            case "x":
              i += 3;
              break;
            case "u":
              i += 5;
              break;
            case "U":
              i += 9;
              break;
            default:
              i += 1;
          }
          escEnd = i;
        }
        if (ch === "\n") {
          if (mode === FOLD_BLOCK)
            i = consumeMoreIndentedLines(text, i, indent2.length);
          end = i + indent2.length + endStep;
          split = void 0;
        } else {
          if (ch === " " && prev && prev !== " " && prev !== "\n" && prev !== "	") {
            const next = text[i + 1];
            if (next && next !== " " && next !== "\n" && next !== "	")
              split = i;
          }
          if (i >= end) {
            if (split) {
              folds.push(split);
              end = split + endStep;
              split = void 0;
            } else if (mode === FOLD_QUOTED) {
              while (prev === " " || prev === "	") {
                prev = ch;
                ch = text[i += 1];
                overflow = true;
              }
              const j = i > escEnd + 1 ? i - 2 : escStart - 1;
              if (escapedFolds[j])
                return text;
              folds.push(j);
              escapedFolds[j] = true;
              end = j + endStep;
              split = void 0;
            } else {
              overflow = true;
            }
          }
        }
        prev = ch;
      }
      if (overflow && onOverflow)
        onOverflow();
      if (folds.length === 0)
        return text;
      if (onFold)
        onFold();
      let res = text.slice(0, folds[0]);
      for (let i2 = 0; i2 < folds.length; ++i2) {
        const fold = folds[i2];
        const end2 = folds[i2 + 1] || text.length;
        if (fold === 0)
          res = `
${indent2}${text.slice(0, end2)}`;
        else {
          if (mode === FOLD_QUOTED && escapedFolds[fold])
            res += `${text[fold]}\\`;
          res += `
${indent2}${text.slice(fold + 1, end2)}`;
        }
      }
      return res;
    }
    function consumeMoreIndentedLines(text, i, indent2) {
      let end = i;
      let start = i + 1;
      let ch = text[start];
      while (ch === " " || ch === "	") {
        if (i < start + indent2) {
          ch = text[++i];
        } else {
          do {
            ch = text[++i];
          } while (ch && ch !== "\n");
          end = i;
          start = i + 1;
          ch = text[start];
        }
      }
      return end;
    }
    exports.FOLD_BLOCK = FOLD_BLOCK;
    exports.FOLD_FLOW = FOLD_FLOW;
    exports.FOLD_QUOTED = FOLD_QUOTED;
    exports.foldFlowLines = foldFlowLines;
  }
});

// node_modules/yaml/dist/stringify/stringifyString.js
var require_stringifyString = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyString.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var foldFlowLines = require_foldFlowLines();
    var getFoldOptions = (ctx, isBlock) => ({
      indentAtStart: isBlock ? ctx.indent.length : ctx.indentAtStart,
      lineWidth: ctx.options.lineWidth,
      minContentWidth: ctx.options.minContentWidth
    });
    var containsDocumentMarker = (str2) => /^(%|---|\.\.\.)/m.test(str2);
    function lineLengthOverLimit(str2, lineWidth, indentLength) {
      if (!lineWidth || lineWidth < 0)
        return false;
      const limit = lineWidth - indentLength;
      const strLen = str2.length;
      if (strLen <= limit)
        return false;
      for (let i = 0, start = 0; i < strLen; ++i) {
        if (str2[i] === "\n") {
          if (i - start > limit)
            return true;
          start = i + 1;
          if (strLen - start <= limit)
            return false;
        }
      }
      return true;
    }
    function doubleQuotedString(value, ctx) {
      const json = JSON.stringify(value);
      if (ctx.options.doubleQuotedAsJSON)
        return json;
      const { implicitKey } = ctx;
      const minMultiLineLength = ctx.options.doubleQuotedMinMultiLineLength;
      const indent2 = ctx.indent || (containsDocumentMarker(value) ? "  " : "");
      let str2 = "";
      let start = 0;
      for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
        if (ch === " " && json[i + 1] === "\\" && json[i + 2] === "n") {
          str2 += json.slice(start, i) + "\\ ";
          i += 1;
          start = i;
          ch = "\\";
        }
        if (ch === "\\")
          switch (json[i + 1]) {
            case "u":
              {
                str2 += json.slice(start, i);
                const code = json.substr(i + 2, 4);
                switch (code) {
                  case "0000":
                    str2 += "\\0";
                    break;
                  case "0007":
                    str2 += "\\a";
                    break;
                  case "000b":
                    str2 += "\\v";
                    break;
                  case "001b":
                    str2 += "\\e";
                    break;
                  case "0085":
                    str2 += "\\N";
                    break;
                  case "00a0":
                    str2 += "\\_";
                    break;
                  case "2028":
                    str2 += "\\L";
                    break;
                  case "2029":
                    str2 += "\\P";
                    break;
                  default:
                    if (code.substr(0, 2) === "00")
                      str2 += "\\x" + code.substr(2);
                    else
                      str2 += json.substr(i, 6);
                }
                i += 5;
                start = i + 1;
              }
              break;
            case "n":
              if (implicitKey || json[i + 2] === '"' || json.length < minMultiLineLength) {
                i += 1;
              } else {
                str2 += json.slice(start, i) + "\n\n";
                while (json[i + 2] === "\\" && json[i + 3] === "n" && json[i + 4] !== '"') {
                  str2 += "\n";
                  i += 2;
                }
                str2 += indent2;
                if (json[i + 2] === " ")
                  str2 += "\\";
                i += 1;
                start = i + 1;
              }
              break;
            default:
              i += 1;
          }
      }
      str2 = start ? str2 + json.slice(start) : json;
      return implicitKey ? str2 : foldFlowLines.foldFlowLines(str2, indent2, foldFlowLines.FOLD_QUOTED, getFoldOptions(ctx, false));
    }
    function singleQuotedString(value, ctx) {
      if (ctx.options.singleQuote === false || ctx.implicitKey && value.includes("\n") || /[ \t]\n|\n[ \t]/.test(value))
        return doubleQuotedString(value, ctx);
      const indent2 = ctx.indent || (containsDocumentMarker(value) ? "  " : "");
      const res = "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&
${indent2}`) + "'";
      return ctx.implicitKey ? res : foldFlowLines.foldFlowLines(res, indent2, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
    }
    function quotedString(value, ctx) {
      const { singleQuote } = ctx.options;
      let qs;
      if (singleQuote === false)
        qs = doubleQuotedString;
      else {
        const hasDouble = value.includes('"');
        const hasSingle = value.includes("'");
        if (hasDouble && !hasSingle)
          qs = singleQuotedString;
        else if (hasSingle && !hasDouble)
          qs = doubleQuotedString;
        else
          qs = singleQuote ? singleQuotedString : doubleQuotedString;
      }
      return qs(value, ctx);
    }
    var blockEndNewlines;
    try {
      blockEndNewlines = new RegExp("(^|(?<!\n))\n+(?!\n|$)", "g");
    } catch {
      blockEndNewlines = /\n+(?!\n|$)/g;
    }
    function blockString({ comment, type, value }, ctx, onComment, onChompKeep) {
      const { blockQuote, commentString, lineWidth } = ctx.options;
      if (!blockQuote || /\n[\t ]+$/.test(value)) {
        return quotedString(value, ctx);
      }
      const indent2 = ctx.indent || (ctx.forceBlockIndent || containsDocumentMarker(value) ? "  " : "");
      const literal = blockQuote === "literal" ? true : blockQuote === "folded" || type === Scalar.Scalar.BLOCK_FOLDED ? false : type === Scalar.Scalar.BLOCK_LITERAL ? true : !lineLengthOverLimit(value, lineWidth, indent2.length);
      if (!value)
        return literal ? "|\n" : ">\n";
      let chomp;
      let endStart;
      for (endStart = value.length; endStart > 0; --endStart) {
        const ch = value[endStart - 1];
        if (ch !== "\n" && ch !== "	" && ch !== " ")
          break;
      }
      let end = value.substring(endStart);
      const endNlPos = end.indexOf("\n");
      if (endNlPos === -1) {
        chomp = "-";
      } else if (value === end || endNlPos !== end.length - 1) {
        chomp = "+";
        if (onChompKeep)
          onChompKeep();
      } else {
        chomp = "";
      }
      if (end) {
        value = value.slice(0, -end.length);
        if (end[end.length - 1] === "\n")
          end = end.slice(0, -1);
        end = end.replace(blockEndNewlines, `$&${indent2}`);
      }
      let startWithSpace = false;
      let startEnd;
      let startNlPos = -1;
      for (startEnd = 0; startEnd < value.length; ++startEnd) {
        const ch = value[startEnd];
        if (ch === " ")
          startWithSpace = true;
        else if (ch === "\n")
          startNlPos = startEnd;
        else
          break;
      }
      let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
      if (start) {
        value = value.substring(start.length);
        start = start.replace(/\n+/g, `$&${indent2}`);
      }
      const indentSize = indent2 ? "2" : "1";
      let header = (startWithSpace ? indentSize : "") + chomp;
      if (comment) {
        header += " " + commentString(comment.replace(/ ?[\r\n]+/g, " "));
        if (onComment)
          onComment();
      }
      if (!literal) {
        const foldedValue = value.replace(/\n+/g, "\n$&").replace(/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g, "$1$2").replace(/\n+/g, `$&${indent2}`);
        let literalFallback = false;
        const foldOptions = getFoldOptions(ctx, true);
        if (blockQuote !== "folded" && type !== Scalar.Scalar.BLOCK_FOLDED) {
          foldOptions.onOverflow = () => {
            literalFallback = true;
          };
        }
        const body = foldFlowLines.foldFlowLines(`${start}${foldedValue}${end}`, indent2, foldFlowLines.FOLD_BLOCK, foldOptions);
        if (!literalFallback)
          return `>${header}
${indent2}${body}`;
      }
      value = value.replace(/\n+/g, `$&${indent2}`);
      return `|${header}
${indent2}${start}${value}${end}`;
    }
    function plainString(item, ctx, onComment, onChompKeep) {
      const { type, value } = item;
      const { actualString, implicitKey, indent: indent2, indentStep, inFlow } = ctx;
      if (implicitKey && value.includes("\n") || inFlow && /[[\]{},]/.test(value)) {
        return quotedString(value, ctx);
      }
      if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
        return implicitKey || inFlow || !value.includes("\n") ? quotedString(value, ctx) : blockString(item, ctx, onComment, onChompKeep);
      }
      if (!implicitKey && !inFlow && type !== Scalar.Scalar.PLAIN && value.includes("\n")) {
        return blockString(item, ctx, onComment, onChompKeep);
      }
      if (containsDocumentMarker(value)) {
        if (indent2 === "") {
          ctx.forceBlockIndent = true;
          return blockString(item, ctx, onComment, onChompKeep);
        } else if (implicitKey && indent2 === indentStep) {
          return quotedString(value, ctx);
        }
      }
      const str2 = value.replace(/\n+/g, `$&
${indent2}`);
      if (actualString) {
        const test = (tag) => tag.default && tag.tag !== "tag:yaml.org,2002:str" && tag.test?.test(str2);
        const { compat, tags } = ctx.doc.schema;
        if (tags.some(test) || compat?.some(test))
          return quotedString(value, ctx);
      }
      return implicitKey ? str2 : foldFlowLines.foldFlowLines(str2, indent2, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
    }
    function stringifyString(item, ctx, onComment, onChompKeep) {
      const { implicitKey, inFlow } = ctx;
      const ss = typeof item.value === "string" ? item : Object.assign({}, item, { value: String(item.value) });
      let { type } = item;
      if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
        if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(ss.value))
          type = Scalar.Scalar.QUOTE_DOUBLE;
      }
      const _stringify = (_type) => {
        switch (_type) {
          case Scalar.Scalar.BLOCK_FOLDED:
          case Scalar.Scalar.BLOCK_LITERAL:
            return implicitKey || inFlow ? quotedString(ss.value, ctx) : blockString(ss, ctx, onComment, onChompKeep);
          case Scalar.Scalar.QUOTE_DOUBLE:
            return doubleQuotedString(ss.value, ctx);
          case Scalar.Scalar.QUOTE_SINGLE:
            return singleQuotedString(ss.value, ctx);
          case Scalar.Scalar.PLAIN:
            return plainString(ss, ctx, onComment, onChompKeep);
          default:
            return null;
        }
      };
      let res = _stringify(type);
      if (res === null) {
        const { defaultKeyType, defaultStringType } = ctx.options;
        const t = implicitKey && defaultKeyType || defaultStringType;
        res = _stringify(t);
        if (res === null)
          throw new Error(`Unsupported default string type ${t}`);
      }
      return res;
    }
    exports.stringifyString = stringifyString;
  }
});

// node_modules/yaml/dist/stringify/stringify.js
var require_stringify = __commonJS({
  "node_modules/yaml/dist/stringify/stringify.js"(exports) {
    "use strict";
    var anchors = require_anchors();
    var identity = require_identity();
    var stringifyComment = require_stringifyComment();
    var stringifyString = require_stringifyString();
    function createStringifyContext(doc, options) {
      const opt = Object.assign({
        blockQuote: true,
        commentString: stringifyComment.stringifyComment,
        defaultKeyType: null,
        defaultStringType: "PLAIN",
        directives: null,
        doubleQuotedAsJSON: false,
        doubleQuotedMinMultiLineLength: 40,
        falseStr: "false",
        flowCollectionPadding: true,
        indentSeq: true,
        lineWidth: 80,
        minContentWidth: 20,
        nullStr: "null",
        simpleKeys: false,
        singleQuote: null,
        trailingComma: false,
        trueStr: "true",
        verifyAliasOrder: true
      }, doc.schema.toStringOptions, options);
      let inFlow;
      switch (opt.collectionStyle) {
        case "block":
          inFlow = false;
          break;
        case "flow":
          inFlow = true;
          break;
        default:
          inFlow = null;
      }
      return {
        anchors: /* @__PURE__ */ new Set(),
        doc,
        flowCollectionPadding: opt.flowCollectionPadding ? " " : "",
        indent: "",
        indentStep: typeof opt.indent === "number" ? " ".repeat(opt.indent) : "  ",
        inFlow,
        options: opt
      };
    }
    function getTagObject(tags, item) {
      if (item.tag) {
        const match = tags.filter((t) => t.tag === item.tag);
        if (match.length > 0)
          return match.find((t) => t.format === item.format) ?? match[0];
      }
      let tagObj = void 0;
      let obj2;
      if (identity.isScalar(item)) {
        obj2 = item.value;
        let match = tags.filter((t) => t.identify?.(obj2));
        if (match.length > 1) {
          const testMatch = match.filter((t) => t.test);
          if (testMatch.length > 0)
            match = testMatch;
        }
        tagObj = match.find((t) => t.format === item.format) ?? match.find((t) => !t.format);
      } else {
        obj2 = item;
        tagObj = tags.find((t) => t.nodeClass && obj2 instanceof t.nodeClass);
      }
      if (!tagObj) {
        const name = obj2?.constructor?.name ?? (obj2 === null ? "null" : typeof obj2);
        throw new Error(`Tag not resolved for ${name} value`);
      }
      return tagObj;
    }
    function stringifyProps(node, tagObj, { anchors: anchors$1, doc }) {
      if (!doc.directives)
        return "";
      const props = [];
      const anchor = (identity.isScalar(node) || identity.isCollection(node)) && node.anchor;
      if (anchor && anchors.anchorIsValid(anchor)) {
        anchors$1.add(anchor);
        props.push(`&${anchor}`);
      }
      const tag = node.tag ?? (tagObj.default ? null : tagObj.tag);
      if (tag)
        props.push(doc.directives.tagString(tag));
      return props.join(" ");
    }
    function stringify2(item, ctx, onComment, onChompKeep) {
      if (identity.isPair(item))
        return item.toString(ctx, onComment, onChompKeep);
      if (identity.isAlias(item)) {
        if (ctx.doc.directives)
          return item.toString(ctx);
        if (ctx.resolvedAliases?.has(item)) {
          throw new TypeError(`Cannot stringify circular structure without alias nodes`);
        } else {
          if (ctx.resolvedAliases)
            ctx.resolvedAliases.add(item);
          else
            ctx.resolvedAliases = /* @__PURE__ */ new Set([item]);
          item = item.resolve(ctx.doc);
        }
      }
      let tagObj = void 0;
      const node = identity.isNode(item) ? item : ctx.doc.createNode(item, { onTagObj: (o) => tagObj = o });
      tagObj ?? (tagObj = getTagObject(ctx.doc.schema.tags, node));
      const props = stringifyProps(node, tagObj, ctx);
      if (props.length > 0)
        ctx.indentAtStart = (ctx.indentAtStart ?? 0) + props.length + 1;
      const str2 = typeof tagObj.stringify === "function" ? tagObj.stringify(node, ctx, onComment, onChompKeep) : identity.isScalar(node) ? stringifyString.stringifyString(node, ctx, onComment, onChompKeep) : node.toString(ctx, onComment, onChompKeep);
      if (!props)
        return str2;
      return identity.isScalar(node) || str2[0] === "{" || str2[0] === "[" ? `${props} ${str2}` : `${props}
${ctx.indent}${str2}`;
    }
    exports.createStringifyContext = createStringifyContext;
    exports.stringify = stringify2;
  }
});

// node_modules/yaml/dist/stringify/stringifyPair.js
var require_stringifyPair = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyPair.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Scalar = require_Scalar();
    var stringify2 = require_stringify();
    var stringifyComment = require_stringifyComment();
    function stringifyPair({ key, value }, ctx, onComment, onChompKeep) {
      const { allNullValues, doc, indent: indent2, indentStep, options: { commentString, indentSeq, simpleKeys } } = ctx;
      let keyComment = identity.isNode(key) && key.comment || null;
      if (simpleKeys) {
        if (keyComment) {
          throw new Error("With simple keys, key nodes cannot have comments");
        }
        if (identity.isCollection(key) || !identity.isNode(key) && typeof key === "object") {
          const msg = "With simple keys, collection cannot be used as a key value";
          throw new Error(msg);
        }
      }
      let explicitKey = !simpleKeys && (!key || keyComment && value == null && !ctx.inFlow || identity.isCollection(key) || (identity.isScalar(key) ? key.type === Scalar.Scalar.BLOCK_FOLDED || key.type === Scalar.Scalar.BLOCK_LITERAL : typeof key === "object"));
      ctx = Object.assign({}, ctx, {
        allNullValues: false,
        implicitKey: !explicitKey && (simpleKeys || !allNullValues),
        indent: indent2 + indentStep
      });
      let keyCommentDone = false;
      let chompKeep = false;
      let str2 = stringify2.stringify(key, ctx, () => keyCommentDone = true, () => chompKeep = true);
      if (!explicitKey && !ctx.inFlow && str2.length > 1024) {
        if (simpleKeys)
          throw new Error("With simple keys, single line scalar must not span more than 1024 characters");
        explicitKey = true;
      }
      if (ctx.inFlow) {
        if (allNullValues || value == null) {
          if (keyCommentDone && onComment)
            onComment();
          return str2 === "" ? "?" : explicitKey ? `? ${str2}` : str2;
        }
      } else if (allNullValues && !simpleKeys || value == null && explicitKey) {
        str2 = `? ${str2}`;
        if (keyComment && !keyCommentDone) {
          str2 += stringifyComment.lineComment(str2, ctx.indent, commentString(keyComment));
        } else if (chompKeep && onChompKeep)
          onChompKeep();
        return str2;
      }
      if (keyCommentDone)
        keyComment = null;
      if (explicitKey) {
        if (keyComment)
          str2 += stringifyComment.lineComment(str2, ctx.indent, commentString(keyComment));
        str2 = `? ${str2}
${indent2}:`;
      } else {
        str2 = `${str2}:`;
        if (keyComment)
          str2 += stringifyComment.lineComment(str2, ctx.indent, commentString(keyComment));
      }
      let vsb, vcb, valueComment;
      if (identity.isNode(value)) {
        vsb = !!value.spaceBefore;
        vcb = value.commentBefore;
        valueComment = value.comment;
      } else {
        vsb = false;
        vcb = null;
        valueComment = null;
        if (value && typeof value === "object")
          value = doc.createNode(value);
      }
      ctx.implicitKey = false;
      if (!explicitKey && !keyComment && identity.isScalar(value))
        ctx.indentAtStart = str2.length + 1;
      chompKeep = false;
      if (!indentSeq && indentStep.length >= 2 && !ctx.inFlow && !explicitKey && identity.isSeq(value) && !value.flow && !value.tag && !value.anchor) {
        ctx.indent = ctx.indent.substring(2);
      }
      let valueCommentDone = false;
      const valueStr = stringify2.stringify(value, ctx, () => valueCommentDone = true, () => chompKeep = true);
      let ws = " ";
      if (keyComment || vsb || vcb) {
        ws = vsb ? "\n" : "";
        if (vcb) {
          const cs = commentString(vcb);
          ws += `
${stringifyComment.indentComment(cs, ctx.indent)}`;
        }
        if (valueStr === "" && !ctx.inFlow) {
          if (ws === "\n" && valueComment)
            ws = "\n\n";
        } else {
          ws += `
${ctx.indent}`;
        }
      } else if (!explicitKey && identity.isCollection(value)) {
        const vs0 = valueStr[0];
        const nl0 = valueStr.indexOf("\n");
        const hasNewline = nl0 !== -1;
        const flow = ctx.inFlow ?? value.flow ?? value.items.length === 0;
        if (hasNewline || !flow) {
          let hasPropsLine = false;
          if (hasNewline && (vs0 === "&" || vs0 === "!")) {
            let sp0 = valueStr.indexOf(" ");
            if (vs0 === "&" && sp0 !== -1 && sp0 < nl0 && valueStr[sp0 + 1] === "!") {
              sp0 = valueStr.indexOf(" ", sp0 + 1);
            }
            if (sp0 === -1 || nl0 < sp0)
              hasPropsLine = true;
          }
          if (!hasPropsLine)
            ws = `
${ctx.indent}`;
        }
      } else if (valueStr === "" || valueStr[0] === "\n") {
        ws = "";
      }
      str2 += ws + valueStr;
      if (ctx.inFlow) {
        if (valueCommentDone && onComment)
          onComment();
      } else if (valueComment && !valueCommentDone) {
        str2 += stringifyComment.lineComment(str2, ctx.indent, commentString(valueComment));
      } else if (chompKeep && onChompKeep) {
        onChompKeep();
      }
      return str2;
    }
    exports.stringifyPair = stringifyPair;
  }
});

// node_modules/yaml/dist/log.js
var require_log = __commonJS({
  "node_modules/yaml/dist/log.js"(exports) {
    "use strict";
    var node_process = __require("process");
    function debug(logLevel, ...messages) {
      if (logLevel === "debug")
        console.log(...messages);
    }
    function warn2(logLevel, warning) {
      if (logLevel === "debug" || logLevel === "warn") {
        if (typeof node_process.emitWarning === "function")
          node_process.emitWarning(warning);
        else
          console.warn(warning);
      }
    }
    exports.debug = debug;
    exports.warn = warn2;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/merge.js
var require_merge = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/merge.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Scalar = require_Scalar();
    var MERGE_KEY = "<<";
    var merge = {
      identify: (value) => value === MERGE_KEY || typeof value === "symbol" && value.description === MERGE_KEY,
      default: "key",
      tag: "tag:yaml.org,2002:merge",
      test: /^<<$/,
      resolve: () => Object.assign(new Scalar.Scalar(Symbol(MERGE_KEY)), {
        addToJSMap: addMergeToJSMap
      }),
      stringify: () => MERGE_KEY
    };
    var isMergeKey = (ctx, key) => (merge.identify(key) || identity.isScalar(key) && (!key.type || key.type === Scalar.Scalar.PLAIN) && merge.identify(key.value)) && ctx?.doc.schema.tags.some((tag) => tag.tag === merge.tag && tag.default);
    function addMergeToJSMap(ctx, map, value) {
      const source = resolveAliasValue(ctx, value);
      if (identity.isSeq(source))
        for (const it of source.items)
          mergeValue(ctx, map, it);
      else if (Array.isArray(source))
        for (const it of source)
          mergeValue(ctx, map, it);
      else
        mergeValue(ctx, map, source);
    }
    function mergeValue(ctx, map, value) {
      const source = resolveAliasValue(ctx, value);
      if (!identity.isMap(source))
        throw new Error("Merge sources must be maps or map aliases");
      const srcMap = source.toJSON(null, ctx, Map);
      for (const [key, value2] of srcMap) {
        if (map instanceof Map) {
          if (!map.has(key))
            map.set(key, value2);
        } else if (map instanceof Set) {
          map.add(key);
        } else if (!Object.prototype.hasOwnProperty.call(map, key)) {
          Object.defineProperty(map, key, {
            value: value2,
            writable: true,
            enumerable: true,
            configurable: true
          });
        }
      }
      return map;
    }
    function resolveAliasValue(ctx, value) {
      return ctx && identity.isAlias(value) ? value.resolve(ctx.doc, ctx) : value;
    }
    exports.addMergeToJSMap = addMergeToJSMap;
    exports.isMergeKey = isMergeKey;
    exports.merge = merge;
  }
});

// node_modules/yaml/dist/nodes/addPairToJSMap.js
var require_addPairToJSMap = __commonJS({
  "node_modules/yaml/dist/nodes/addPairToJSMap.js"(exports) {
    "use strict";
    var log4 = require_log();
    var merge = require_merge();
    var stringify2 = require_stringify();
    var identity = require_identity();
    var toJS = require_toJS();
    function addPairToJSMap(ctx, map, { key, value }) {
      if (identity.isNode(key) && key.addToJSMap)
        key.addToJSMap(ctx, map, value);
      else if (merge.isMergeKey(ctx, key))
        merge.addMergeToJSMap(ctx, map, value);
      else {
        const jsKey = toJS.toJS(key, "", ctx);
        if (map instanceof Map) {
          map.set(jsKey, toJS.toJS(value, jsKey, ctx));
        } else if (map instanceof Set) {
          map.add(jsKey);
        } else {
          const stringKey = stringifyKey(key, jsKey, ctx);
          const jsValue = toJS.toJS(value, stringKey, ctx);
          if (stringKey in map)
            Object.defineProperty(map, stringKey, {
              value: jsValue,
              writable: true,
              enumerable: true,
              configurable: true
            });
          else
            map[stringKey] = jsValue;
        }
      }
      return map;
    }
    function stringifyKey(key, jsKey, ctx) {
      if (jsKey === null)
        return "";
      if (typeof jsKey !== "object")
        return String(jsKey);
      if (identity.isNode(key) && ctx?.doc) {
        const strCtx = stringify2.createStringifyContext(ctx.doc, {});
        strCtx.anchors = /* @__PURE__ */ new Set();
        for (const node of ctx.anchors.keys())
          strCtx.anchors.add(node.anchor);
        strCtx.inFlow = true;
        strCtx.inStringifyKey = true;
        const strKey = key.toString(strCtx);
        if (!ctx.mapKeyWarned) {
          let jsonStr = JSON.stringify(strKey);
          if (jsonStr.length > 40)
            jsonStr = jsonStr.substring(0, 36) + '..."';
          log4.warn(ctx.doc.options.logLevel, `Keys with collection values will be stringified due to JS Object restrictions: ${jsonStr}. Set mapAsMap: true to use object keys.`);
          ctx.mapKeyWarned = true;
        }
        return strKey;
      }
      return JSON.stringify(jsKey);
    }
    exports.addPairToJSMap = addPairToJSMap;
  }
});

// node_modules/yaml/dist/nodes/Pair.js
var require_Pair = __commonJS({
  "node_modules/yaml/dist/nodes/Pair.js"(exports) {
    "use strict";
    var createNode = require_createNode();
    var stringifyPair = require_stringifyPair();
    var addPairToJSMap = require_addPairToJSMap();
    var identity = require_identity();
    function createPair(key, value, ctx) {
      const k = createNode.createNode(key, void 0, ctx);
      const v = createNode.createNode(value, void 0, ctx);
      return new Pair(k, v);
    }
    var Pair = class _Pair {
      constructor(key, value = null) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.PAIR });
        this.key = key;
        this.value = value;
      }
      clone(schema) {
        let { key, value } = this;
        if (identity.isNode(key))
          key = key.clone(schema);
        if (identity.isNode(value))
          value = value.clone(schema);
        return new _Pair(key, value);
      }
      toJSON(_, ctx) {
        const pair = ctx?.mapAsMap ? /* @__PURE__ */ new Map() : {};
        return addPairToJSMap.addPairToJSMap(ctx, pair, this);
      }
      toString(ctx, onComment, onChompKeep) {
        return ctx?.doc ? stringifyPair.stringifyPair(this, ctx, onComment, onChompKeep) : JSON.stringify(this);
      }
    };
    exports.Pair = Pair;
    exports.createPair = createPair;
  }
});

// node_modules/yaml/dist/stringify/stringifyCollection.js
var require_stringifyCollection = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyCollection.js"(exports) {
    "use strict";
    var identity = require_identity();
    var stringify2 = require_stringify();
    var stringifyComment = require_stringifyComment();
    function stringifyCollection(collection, ctx, options) {
      const flow = ctx.inFlow ?? collection.flow;
      const stringify3 = flow ? stringifyFlowCollection : stringifyBlockCollection;
      return stringify3(collection, ctx, options);
    }
    function stringifyBlockCollection({ comment, items }, ctx, { blockItemPrefix, flowChars, itemIndent, onChompKeep, onComment }) {
      const { indent: indent2, options: { commentString } } = ctx;
      const itemCtx = Object.assign({}, ctx, { indent: itemIndent, type: null });
      let chompKeep = false;
      const lines = [];
      for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment2 = null;
        if (identity.isNode(item)) {
          if (!chompKeep && item.spaceBefore)
            lines.push("");
          addCommentBefore(ctx, lines, item.commentBefore, chompKeep);
          if (item.comment)
            comment2 = item.comment;
        } else if (identity.isPair(item)) {
          const ik = identity.isNode(item.key) ? item.key : null;
          if (ik) {
            if (!chompKeep && ik.spaceBefore)
              lines.push("");
            addCommentBefore(ctx, lines, ik.commentBefore, chompKeep);
          }
        }
        chompKeep = false;
        let str3 = stringify2.stringify(item, itemCtx, () => comment2 = null, () => chompKeep = true);
        if (comment2)
          str3 += stringifyComment.lineComment(str3, itemIndent, commentString(comment2));
        if (chompKeep && comment2)
          chompKeep = false;
        lines.push(blockItemPrefix + str3);
      }
      let str2;
      if (lines.length === 0) {
        str2 = flowChars.start + flowChars.end;
      } else {
        str2 = lines[0];
        for (let i = 1; i < lines.length; ++i) {
          const line = lines[i];
          str2 += line ? `
${indent2}${line}` : "\n";
        }
      }
      if (comment) {
        str2 += "\n" + stringifyComment.indentComment(commentString(comment), indent2);
        if (onComment)
          onComment();
      } else if (chompKeep && onChompKeep)
        onChompKeep();
      return str2;
    }
    function stringifyFlowCollection({ items }, ctx, { flowChars, itemIndent }) {
      const { indent: indent2, indentStep, flowCollectionPadding: fcPadding, options: { commentString } } = ctx;
      itemIndent += indentStep;
      const itemCtx = Object.assign({}, ctx, {
        indent: itemIndent,
        inFlow: true,
        type: null
      });
      let reqNewline = false;
      let linesAtValue = 0;
      const lines = [];
      for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
          if (item.spaceBefore)
            lines.push("");
          addCommentBefore(ctx, lines, item.commentBefore, false);
          if (item.comment)
            comment = item.comment;
        } else if (identity.isPair(item)) {
          const ik = identity.isNode(item.key) ? item.key : null;
          if (ik) {
            if (ik.spaceBefore)
              lines.push("");
            addCommentBefore(ctx, lines, ik.commentBefore, false);
            if (ik.comment)
              reqNewline = true;
          }
          const iv = identity.isNode(item.value) ? item.value : null;
          if (iv) {
            if (iv.comment)
              comment = iv.comment;
            if (iv.commentBefore)
              reqNewline = true;
          } else if (item.value == null && ik?.comment) {
            comment = ik.comment;
          }
        }
        if (comment)
          reqNewline = true;
        let str2 = stringify2.stringify(item, itemCtx, () => comment = null);
        reqNewline || (reqNewline = lines.length > linesAtValue || str2.includes("\n"));
        if (i < items.length - 1) {
          str2 += ",";
        } else if (ctx.options.trailingComma) {
          if (ctx.options.lineWidth > 0) {
            reqNewline || (reqNewline = lines.reduce((sum, line) => sum + line.length + 2, 2) + (str2.length + 2) > ctx.options.lineWidth);
          }
          if (reqNewline) {
            str2 += ",";
          }
        }
        if (comment)
          str2 += stringifyComment.lineComment(str2, itemIndent, commentString(comment));
        lines.push(str2);
        linesAtValue = lines.length;
      }
      const { start, end } = flowChars;
      if (lines.length === 0) {
        return start + end;
      } else {
        if (!reqNewline) {
          const len = lines.reduce((sum, line) => sum + line.length + 2, 2);
          reqNewline = ctx.options.lineWidth > 0 && len > ctx.options.lineWidth;
        }
        if (reqNewline) {
          let str2 = start;
          for (const line of lines)
            str2 += line ? `
${indentStep}${indent2}${line}` : "\n";
          return `${str2}
${indent2}${end}`;
        } else {
          return `${start}${fcPadding}${lines.join(" ")}${fcPadding}${end}`;
        }
      }
    }
    function addCommentBefore({ indent: indent2, options: { commentString } }, lines, comment, chompKeep) {
      if (comment && chompKeep)
        comment = comment.replace(/^\n+/, "");
      if (comment) {
        const ic = stringifyComment.indentComment(commentString(comment), indent2);
        lines.push(ic.trimStart());
      }
    }
    exports.stringifyCollection = stringifyCollection;
  }
});

// node_modules/yaml/dist/nodes/YAMLMap.js
var require_YAMLMap = __commonJS({
  "node_modules/yaml/dist/nodes/YAMLMap.js"(exports) {
    "use strict";
    var stringifyCollection = require_stringifyCollection();
    var addPairToJSMap = require_addPairToJSMap();
    var Collection = require_Collection();
    var identity = require_identity();
    var Pair = require_Pair();
    var Scalar = require_Scalar();
    function findPair(items, key) {
      const k = identity.isScalar(key) ? key.value : key;
      for (const it of items) {
        if (identity.isPair(it)) {
          if (it.key === key || it.key === k)
            return it;
          if (identity.isScalar(it.key) && it.key.value === k)
            return it;
        }
      }
      return void 0;
    }
    var YAMLMap = class extends Collection.Collection {
      static get tagName() {
        return "tag:yaml.org,2002:map";
      }
      constructor(schema) {
        super(identity.MAP, schema);
        this.items = [];
      }
      /**
       * A generic collection parsing method that can be extended
       * to other node classes that inherit from YAMLMap
       */
      static from(schema, obj2, ctx) {
        const { keepUndefined, replacer } = ctx;
        const map = new this(schema);
        const add = (key, value) => {
          if (typeof replacer === "function")
            value = replacer.call(obj2, key, value);
          else if (Array.isArray(replacer) && !replacer.includes(key))
            return;
          if (value !== void 0 || keepUndefined)
            map.items.push(Pair.createPair(key, value, ctx));
        };
        if (obj2 instanceof Map) {
          for (const [key, value] of obj2)
            add(key, value);
        } else if (obj2 && typeof obj2 === "object") {
          for (const key of Object.keys(obj2))
            add(key, obj2[key]);
        }
        if (typeof schema.sortMapEntries === "function") {
          map.items.sort(schema.sortMapEntries);
        }
        return map;
      }
      /**
       * Adds a value to the collection.
       *
       * @param overwrite - If not set `true`, using a key that is already in the
       *   collection will throw. Otherwise, overwrites the previous value.
       */
      add(pair, overwrite) {
        let _pair;
        if (identity.isPair(pair))
          _pair = pair;
        else if (!pair || typeof pair !== "object" || !("key" in pair)) {
          _pair = new Pair.Pair(pair, pair?.value);
        } else
          _pair = new Pair.Pair(pair.key, pair.value);
        const prev = findPair(this.items, _pair.key);
        const sortEntries = this.schema?.sortMapEntries;
        if (prev) {
          if (!overwrite)
            throw new Error(`Key ${_pair.key} already set`);
          if (identity.isScalar(prev.value) && Scalar.isScalarValue(_pair.value))
            prev.value.value = _pair.value;
          else
            prev.value = _pair.value;
        } else if (sortEntries) {
          const i = this.items.findIndex((item) => sortEntries(_pair, item) < 0);
          if (i === -1)
            this.items.push(_pair);
          else
            this.items.splice(i, 0, _pair);
        } else {
          this.items.push(_pair);
        }
      }
      delete(key) {
        const it = findPair(this.items, key);
        if (!it)
          return false;
        const del = this.items.splice(this.items.indexOf(it), 1);
        return del.length > 0;
      }
      get(key, keepScalar) {
        const it = findPair(this.items, key);
        const node = it?.value;
        return (!keepScalar && identity.isScalar(node) ? node.value : node) ?? void 0;
      }
      has(key) {
        return !!findPair(this.items, key);
      }
      set(key, value) {
        this.add(new Pair.Pair(key, value), true);
      }
      /**
       * @param ctx - Conversion context, originally set in Document#toJS()
       * @param {Class} Type - If set, forces the returned collection type
       * @returns Instance of Type, Map, or Object
       */
      toJSON(_, ctx, Type) {
        const map = Type ? new Type() : ctx?.mapAsMap ? /* @__PURE__ */ new Map() : {};
        if (ctx?.onCreate)
          ctx.onCreate(map);
        for (const item of this.items)
          addPairToJSMap.addPairToJSMap(ctx, map, item);
        return map;
      }
      toString(ctx, onComment, onChompKeep) {
        if (!ctx)
          return JSON.stringify(this);
        for (const item of this.items) {
          if (!identity.isPair(item))
            throw new Error(`Map items must all be pairs; found ${JSON.stringify(item)} instead`);
        }
        if (!ctx.allNullValues && this.hasAllNullValues(false))
          ctx = Object.assign({}, ctx, { allNullValues: true });
        return stringifyCollection.stringifyCollection(this, ctx, {
          blockItemPrefix: "",
          flowChars: { start: "{", end: "}" },
          itemIndent: ctx.indent || "",
          onChompKeep,
          onComment
        });
      }
    };
    exports.YAMLMap = YAMLMap;
    exports.findPair = findPair;
  }
});

// node_modules/yaml/dist/schema/common/map.js
var require_map = __commonJS({
  "node_modules/yaml/dist/schema/common/map.js"(exports) {
    "use strict";
    var identity = require_identity();
    var YAMLMap = require_YAMLMap();
    var map = {
      collection: "map",
      default: true,
      nodeClass: YAMLMap.YAMLMap,
      tag: "tag:yaml.org,2002:map",
      resolve(map2, onError) {
        if (!identity.isMap(map2))
          onError("Expected a mapping for this tag");
        return map2;
      },
      createNode: (schema, obj2, ctx) => YAMLMap.YAMLMap.from(schema, obj2, ctx)
    };
    exports.map = map;
  }
});

// node_modules/yaml/dist/nodes/YAMLSeq.js
var require_YAMLSeq = __commonJS({
  "node_modules/yaml/dist/nodes/YAMLSeq.js"(exports) {
    "use strict";
    var createNode = require_createNode();
    var stringifyCollection = require_stringifyCollection();
    var Collection = require_Collection();
    var identity = require_identity();
    var Scalar = require_Scalar();
    var toJS = require_toJS();
    var YAMLSeq = class extends Collection.Collection {
      static get tagName() {
        return "tag:yaml.org,2002:seq";
      }
      constructor(schema) {
        super(identity.SEQ, schema);
        this.items = [];
      }
      add(value) {
        this.items.push(value);
      }
      /**
       * Removes a value from the collection.
       *
       * `key` must contain a representation of an integer for this to succeed.
       * It may be wrapped in a `Scalar`.
       *
       * @returns `true` if the item was found and removed.
       */
      delete(key) {
        const idx = asItemIndex(key);
        if (typeof idx !== "number")
          return false;
        const del = this.items.splice(idx, 1);
        return del.length > 0;
      }
      get(key, keepScalar) {
        const idx = asItemIndex(key);
        if (typeof idx !== "number")
          return void 0;
        const it = this.items[idx];
        return !keepScalar && identity.isScalar(it) ? it.value : it;
      }
      /**
       * Checks if the collection includes a value with the key `key`.
       *
       * `key` must contain a representation of an integer for this to succeed.
       * It may be wrapped in a `Scalar`.
       */
      has(key) {
        const idx = asItemIndex(key);
        return typeof idx === "number" && idx < this.items.length;
      }
      /**
       * Sets a value in this collection. For `!!set`, `value` needs to be a
       * boolean to add/remove the item from the set.
       *
       * If `key` does not contain a representation of an integer, this will throw.
       * It may be wrapped in a `Scalar`.
       */
      set(key, value) {
        const idx = asItemIndex(key);
        if (typeof idx !== "number")
          throw new Error(`Expected a valid index, not ${key}.`);
        const prev = this.items[idx];
        if (identity.isScalar(prev) && Scalar.isScalarValue(value))
          prev.value = value;
        else
          this.items[idx] = value;
      }
      toJSON(_, ctx) {
        const seq = [];
        if (ctx?.onCreate)
          ctx.onCreate(seq);
        let i = 0;
        for (const item of this.items)
          seq.push(toJS.toJS(item, String(i++), ctx));
        return seq;
      }
      toString(ctx, onComment, onChompKeep) {
        if (!ctx)
          return JSON.stringify(this);
        return stringifyCollection.stringifyCollection(this, ctx, {
          blockItemPrefix: "- ",
          flowChars: { start: "[", end: "]" },
          itemIndent: (ctx.indent || "") + "  ",
          onChompKeep,
          onComment
        });
      }
      static from(schema, obj2, ctx) {
        const { replacer } = ctx;
        const seq = new this(schema);
        if (obj2 && Symbol.iterator in Object(obj2)) {
          let i = 0;
          for (let it of obj2) {
            if (typeof replacer === "function") {
              const key = obj2 instanceof Set ? it : String(i++);
              it = replacer.call(obj2, key, it);
            }
            seq.items.push(createNode.createNode(it, void 0, ctx));
          }
        }
        return seq;
      }
    };
    function asItemIndex(key) {
      let idx = identity.isScalar(key) ? key.value : key;
      if (idx && typeof idx === "string")
        idx = Number(idx);
      return typeof idx === "number" && Number.isInteger(idx) && idx >= 0 ? idx : null;
    }
    exports.YAMLSeq = YAMLSeq;
  }
});

// node_modules/yaml/dist/schema/common/seq.js
var require_seq = __commonJS({
  "node_modules/yaml/dist/schema/common/seq.js"(exports) {
    "use strict";
    var identity = require_identity();
    var YAMLSeq = require_YAMLSeq();
    var seq = {
      collection: "seq",
      default: true,
      nodeClass: YAMLSeq.YAMLSeq,
      tag: "tag:yaml.org,2002:seq",
      resolve(seq2, onError) {
        if (!identity.isSeq(seq2))
          onError("Expected a sequence for this tag");
        return seq2;
      },
      createNode: (schema, obj2, ctx) => YAMLSeq.YAMLSeq.from(schema, obj2, ctx)
    };
    exports.seq = seq;
  }
});

// node_modules/yaml/dist/schema/common/string.js
var require_string = __commonJS({
  "node_modules/yaml/dist/schema/common/string.js"(exports) {
    "use strict";
    var stringifyString = require_stringifyString();
    var string = {
      identify: (value) => typeof value === "string",
      default: true,
      tag: "tag:yaml.org,2002:str",
      resolve: (str2) => str2,
      stringify(item, ctx, onComment, onChompKeep) {
        ctx = Object.assign({ actualString: true }, ctx);
        return stringifyString.stringifyString(item, ctx, onComment, onChompKeep);
      }
    };
    exports.string = string;
  }
});

// node_modules/yaml/dist/schema/common/null.js
var require_null = __commonJS({
  "node_modules/yaml/dist/schema/common/null.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var nullTag = {
      identify: (value) => value == null,
      createNode: () => new Scalar.Scalar(null),
      default: true,
      tag: "tag:yaml.org,2002:null",
      test: /^(?:~|[Nn]ull|NULL)?$/,
      resolve: () => new Scalar.Scalar(null),
      stringify: ({ source }, ctx) => typeof source === "string" && nullTag.test.test(source) ? source : ctx.options.nullStr
    };
    exports.nullTag = nullTag;
  }
});

// node_modules/yaml/dist/schema/core/bool.js
var require_bool = __commonJS({
  "node_modules/yaml/dist/schema/core/bool.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var boolTag = {
      identify: (value) => typeof value === "boolean",
      default: true,
      tag: "tag:yaml.org,2002:bool",
      test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
      resolve: (str2) => new Scalar.Scalar(str2[0] === "t" || str2[0] === "T"),
      stringify({ source, value }, ctx) {
        if (source && boolTag.test.test(source)) {
          const sv = source[0] === "t" || source[0] === "T";
          if (value === sv)
            return source;
        }
        return value ? ctx.options.trueStr : ctx.options.falseStr;
      }
    };
    exports.boolTag = boolTag;
  }
});

// node_modules/yaml/dist/stringify/stringifyNumber.js
var require_stringifyNumber = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyNumber.js"(exports) {
    "use strict";
    function stringifyNumber({ format, minFractionDigits, tag, value }) {
      if (typeof value === "bigint")
        return String(value);
      const num2 = typeof value === "number" ? value : Number(value);
      if (!isFinite(num2))
        return isNaN(num2) ? ".nan" : num2 < 0 ? "-.inf" : ".inf";
      let n = Object.is(value, -0) ? "-0" : JSON.stringify(value);
      if (!format && minFractionDigits && (!tag || tag === "tag:yaml.org,2002:float") && /^-?\d/.test(n) && !n.includes("e")) {
        let i = n.indexOf(".");
        if (i < 0) {
          i = n.length;
          n += ".";
        }
        let d = minFractionDigits - (n.length - i - 1);
        while (d-- > 0)
          n += "0";
      }
      return n;
    }
    exports.stringifyNumber = stringifyNumber;
  }
});

// node_modules/yaml/dist/schema/core/float.js
var require_float = __commonJS({
  "node_modules/yaml/dist/schema/core/float.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var stringifyNumber = require_stringifyNumber();
    var floatNaN = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
      resolve: (str2) => str2.slice(-3).toLowerCase() === "nan" ? NaN : str2[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
      stringify: stringifyNumber.stringifyNumber
    };
    var floatExp = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      format: "EXP",
      test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
      resolve: (str2) => parseFloat(str2),
      stringify(node) {
        const num2 = Number(node.value);
        return isFinite(num2) ? num2.toExponential() : stringifyNumber.stringifyNumber(node);
      }
    };
    var float = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
      resolve(str2) {
        const node = new Scalar.Scalar(parseFloat(str2));
        const dot = str2.indexOf(".");
        if (dot !== -1 && str2[str2.length - 1] === "0")
          node.minFractionDigits = str2.length - dot - 1;
        return node;
      },
      stringify: stringifyNumber.stringifyNumber
    };
    exports.float = float;
    exports.floatExp = floatExp;
    exports.floatNaN = floatNaN;
  }
});

// node_modules/yaml/dist/schema/core/int.js
var require_int = __commonJS({
  "node_modules/yaml/dist/schema/core/int.js"(exports) {
    "use strict";
    var stringifyNumber = require_stringifyNumber();
    var intIdentify = (value) => typeof value === "bigint" || Number.isInteger(value);
    var intResolve = (str2, offset, radix, { intAsBigInt }) => intAsBigInt ? BigInt(str2) : parseInt(str2.substring(offset), radix);
    function intStringify(node, radix, prefix) {
      const { value } = node;
      if (intIdentify(value) && value >= 0)
        return prefix + value.toString(radix);
      return stringifyNumber.stringifyNumber(node);
    }
    var intOct = {
      identify: (value) => intIdentify(value) && value >= 0,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "OCT",
      test: /^0o[0-7]+$/,
      resolve: (str2, _onError, opt) => intResolve(str2, 2, 8, opt),
      stringify: (node) => intStringify(node, 8, "0o")
    };
    var int2 = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      test: /^[-+]?[0-9]+$/,
      resolve: (str2, _onError, opt) => intResolve(str2, 0, 10, opt),
      stringify: stringifyNumber.stringifyNumber
    };
    var intHex = {
      identify: (value) => intIdentify(value) && value >= 0,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "HEX",
      test: /^0x[0-9a-fA-F]+$/,
      resolve: (str2, _onError, opt) => intResolve(str2, 2, 16, opt),
      stringify: (node) => intStringify(node, 16, "0x")
    };
    exports.int = int2;
    exports.intHex = intHex;
    exports.intOct = intOct;
  }
});

// node_modules/yaml/dist/schema/core/schema.js
var require_schema = __commonJS({
  "node_modules/yaml/dist/schema/core/schema.js"(exports) {
    "use strict";
    var map = require_map();
    var _null = require_null();
    var seq = require_seq();
    var string = require_string();
    var bool2 = require_bool();
    var float = require_float();
    var int2 = require_int();
    var schema = [
      map.map,
      seq.seq,
      string.string,
      _null.nullTag,
      bool2.boolTag,
      int2.intOct,
      int2.int,
      int2.intHex,
      float.floatNaN,
      float.floatExp,
      float.float
    ];
    exports.schema = schema;
  }
});

// node_modules/yaml/dist/schema/json/schema.js
var require_schema2 = __commonJS({
  "node_modules/yaml/dist/schema/json/schema.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var map = require_map();
    var seq = require_seq();
    function intIdentify(value) {
      return typeof value === "bigint" || Number.isInteger(value);
    }
    var stringifyJSON = ({ value }) => JSON.stringify(value);
    var jsonScalars = [
      {
        identify: (value) => typeof value === "string",
        default: true,
        tag: "tag:yaml.org,2002:str",
        resolve: (str2) => str2,
        stringify: stringifyJSON
      },
      {
        identify: (value) => value == null,
        createNode: () => new Scalar.Scalar(null),
        default: true,
        tag: "tag:yaml.org,2002:null",
        test: /^null$/,
        resolve: () => null,
        stringify: stringifyJSON
      },
      {
        identify: (value) => typeof value === "boolean",
        default: true,
        tag: "tag:yaml.org,2002:bool",
        test: /^true$|^false$/,
        resolve: (str2) => str2 === "true",
        stringify: stringifyJSON
      },
      {
        identify: intIdentify,
        default: true,
        tag: "tag:yaml.org,2002:int",
        test: /^-?(?:0|[1-9][0-9]*)$/,
        resolve: (str2, _onError, { intAsBigInt }) => intAsBigInt ? BigInt(str2) : parseInt(str2, 10),
        stringify: ({ value }) => intIdentify(value) ? value.toString() : JSON.stringify(value)
      },
      {
        identify: (value) => typeof value === "number",
        default: true,
        tag: "tag:yaml.org,2002:float",
        test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/,
        resolve: (str2) => parseFloat(str2),
        stringify: stringifyJSON
      }
    ];
    var jsonError = {
      default: true,
      tag: "",
      test: /^/,
      resolve(str2, onError) {
        onError(`Unresolved plain scalar ${JSON.stringify(str2)}`);
        return str2;
      }
    };
    var schema = [map.map, seq.seq].concat(jsonScalars, jsonError);
    exports.schema = schema;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/binary.js
var require_binary = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/binary.js"(exports) {
    "use strict";
    var node_buffer = __require("buffer");
    var Scalar = require_Scalar();
    var stringifyString = require_stringifyString();
    var binary = {
      identify: (value) => value instanceof Uint8Array,
      // Buffer inherits from Uint8Array
      default: false,
      tag: "tag:yaml.org,2002:binary",
      /**
       * Returns a Buffer in node and an Uint8Array in browsers
       *
       * To use the resulting buffer as an image, you'll want to do something like:
       *
       *   const blob = new Blob([buffer], { type: 'image/jpeg' })
       *   document.querySelector('#photo').src = URL.createObjectURL(blob)
       */
      resolve(src, onError) {
        if (typeof node_buffer.Buffer === "function") {
          return node_buffer.Buffer.from(src, "base64");
        } else if (typeof atob === "function") {
          const str2 = atob(src.replace(/[\n\r]/g, ""));
          const buffer = new Uint8Array(str2.length);
          for (let i = 0; i < str2.length; ++i)
            buffer[i] = str2.charCodeAt(i);
          return buffer;
        } else {
          onError("This environment does not support reading binary tags; either Buffer or atob is required");
          return src;
        }
      },
      stringify({ comment, type, value }, ctx, onComment, onChompKeep) {
        if (!value)
          return "";
        const buf = value;
        let str2;
        if (typeof node_buffer.Buffer === "function") {
          str2 = buf instanceof node_buffer.Buffer ? buf.toString("base64") : node_buffer.Buffer.from(buf.buffer).toString("base64");
        } else if (typeof btoa === "function") {
          let s2 = "";
          for (let i = 0; i < buf.length; ++i)
            s2 += String.fromCharCode(buf[i]);
          str2 = btoa(s2);
        } else {
          throw new Error("This environment does not support writing binary tags; either Buffer or btoa is required");
        }
        type ?? (type = Scalar.Scalar.BLOCK_LITERAL);
        if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
          const lineWidth = Math.max(ctx.options.lineWidth - ctx.indent.length, ctx.options.minContentWidth);
          const n = Math.ceil(str2.length / lineWidth);
          const lines = new Array(n);
          for (let i = 0, o = 0; i < n; ++i, o += lineWidth) {
            lines[i] = str2.substr(o, lineWidth);
          }
          str2 = lines.join(type === Scalar.Scalar.BLOCK_LITERAL ? "\n" : " ");
        }
        return stringifyString.stringifyString({ comment, type, value: str2 }, ctx, onComment, onChompKeep);
      }
    };
    exports.binary = binary;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/pairs.js
var require_pairs = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/pairs.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Pair = require_Pair();
    var Scalar = require_Scalar();
    var YAMLSeq = require_YAMLSeq();
    function resolvePairs(seq, onError) {
      if (identity.isSeq(seq)) {
        for (let i = 0; i < seq.items.length; ++i) {
          let item = seq.items[i];
          if (identity.isPair(item))
            continue;
          else if (identity.isMap(item)) {
            if (item.items.length > 1)
              onError("Each pair must have its own sequence indicator");
            const pair = item.items[0] || new Pair.Pair(new Scalar.Scalar(null));
            if (item.commentBefore)
              pair.key.commentBefore = pair.key.commentBefore ? `${item.commentBefore}
${pair.key.commentBefore}` : item.commentBefore;
            if (item.comment) {
              const cn = pair.value ?? pair.key;
              cn.comment = cn.comment ? `${item.comment}
${cn.comment}` : item.comment;
            }
            item = pair;
          }
          seq.items[i] = identity.isPair(item) ? item : new Pair.Pair(item);
        }
      } else
        onError("Expected a sequence for this tag");
      return seq;
    }
    function createPairs(schema, iterable, ctx) {
      const { replacer } = ctx;
      const pairs2 = new YAMLSeq.YAMLSeq(schema);
      pairs2.tag = "tag:yaml.org,2002:pairs";
      let i = 0;
      if (iterable && Symbol.iterator in Object(iterable))
        for (let it of iterable) {
          if (typeof replacer === "function")
            it = replacer.call(iterable, String(i++), it);
          let key, value;
          if (Array.isArray(it)) {
            if (it.length === 2) {
              key = it[0];
              value = it[1];
            } else
              throw new TypeError(`Expected [key, value] tuple: ${it}`);
          } else if (it && it instanceof Object) {
            const keys = Object.keys(it);
            if (keys.length === 1) {
              key = keys[0];
              value = it[key];
            } else {
              throw new TypeError(`Expected tuple with one key, not ${keys.length} keys`);
            }
          } else {
            key = it;
          }
          pairs2.items.push(Pair.createPair(key, value, ctx));
        }
      return pairs2;
    }
    var pairs = {
      collection: "seq",
      default: false,
      tag: "tag:yaml.org,2002:pairs",
      resolve: resolvePairs,
      createNode: createPairs
    };
    exports.createPairs = createPairs;
    exports.pairs = pairs;
    exports.resolvePairs = resolvePairs;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/omap.js
var require_omap = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/omap.js"(exports) {
    "use strict";
    var identity = require_identity();
    var toJS = require_toJS();
    var YAMLMap = require_YAMLMap();
    var YAMLSeq = require_YAMLSeq();
    var pairs = require_pairs();
    var YAMLOMap = class _YAMLOMap extends YAMLSeq.YAMLSeq {
      constructor() {
        super();
        this.add = YAMLMap.YAMLMap.prototype.add.bind(this);
        this.delete = YAMLMap.YAMLMap.prototype.delete.bind(this);
        this.get = YAMLMap.YAMLMap.prototype.get.bind(this);
        this.has = YAMLMap.YAMLMap.prototype.has.bind(this);
        this.set = YAMLMap.YAMLMap.prototype.set.bind(this);
        this.tag = _YAMLOMap.tag;
      }
      /**
       * If `ctx` is given, the return type is actually `Map<unknown, unknown>`,
       * but TypeScript won't allow widening the signature of a child method.
       */
      toJSON(_, ctx) {
        if (!ctx)
          return super.toJSON(_);
        const map = /* @__PURE__ */ new Map();
        if (ctx?.onCreate)
          ctx.onCreate(map);
        for (const pair of this.items) {
          let key, value;
          if (identity.isPair(pair)) {
            key = toJS.toJS(pair.key, "", ctx);
            value = toJS.toJS(pair.value, key, ctx);
          } else {
            key = toJS.toJS(pair, "", ctx);
          }
          if (map.has(key))
            throw new Error("Ordered maps must not include duplicate keys");
          map.set(key, value);
        }
        return map;
      }
      static from(schema, iterable, ctx) {
        const pairs$1 = pairs.createPairs(schema, iterable, ctx);
        const omap2 = new this();
        omap2.items = pairs$1.items;
        return omap2;
      }
    };
    YAMLOMap.tag = "tag:yaml.org,2002:omap";
    var omap = {
      collection: "seq",
      identify: (value) => value instanceof Map,
      nodeClass: YAMLOMap,
      default: false,
      tag: "tag:yaml.org,2002:omap",
      resolve(seq, onError) {
        const pairs$1 = pairs.resolvePairs(seq, onError);
        const seenKeys = [];
        for (const { key } of pairs$1.items) {
          if (identity.isScalar(key)) {
            if (seenKeys.includes(key.value)) {
              onError(`Ordered maps must not include duplicate keys: ${key.value}`);
            } else {
              seenKeys.push(key.value);
            }
          }
        }
        return Object.assign(new YAMLOMap(), pairs$1);
      },
      createNode: (schema, iterable, ctx) => YAMLOMap.from(schema, iterable, ctx)
    };
    exports.YAMLOMap = YAMLOMap;
    exports.omap = omap;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/bool.js
var require_bool2 = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/bool.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    function boolStringify({ value, source }, ctx) {
      const boolObj = value ? trueTag : falseTag;
      if (source && boolObj.test.test(source))
        return source;
      return value ? ctx.options.trueStr : ctx.options.falseStr;
    }
    var trueTag = {
      identify: (value) => value === true,
      default: true,
      tag: "tag:yaml.org,2002:bool",
      test: /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
      resolve: () => new Scalar.Scalar(true),
      stringify: boolStringify
    };
    var falseTag = {
      identify: (value) => value === false,
      default: true,
      tag: "tag:yaml.org,2002:bool",
      test: /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
      resolve: () => new Scalar.Scalar(false),
      stringify: boolStringify
    };
    exports.falseTag = falseTag;
    exports.trueTag = trueTag;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/float.js
var require_float2 = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/float.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var stringifyNumber = require_stringifyNumber();
    var floatNaN = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
      resolve: (str2) => str2.slice(-3).toLowerCase() === "nan" ? NaN : str2[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
      stringify: stringifyNumber.stringifyNumber
    };
    var floatExp = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      format: "EXP",
      test: /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
      resolve: (str2) => parseFloat(str2.replace(/_/g, "")),
      stringify(node) {
        const num2 = Number(node.value);
        return isFinite(num2) ? num2.toExponential() : stringifyNumber.stringifyNumber(node);
      }
    };
    var float = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
      resolve(str2) {
        const node = new Scalar.Scalar(parseFloat(str2.replace(/_/g, "")));
        const dot = str2.indexOf(".");
        if (dot !== -1) {
          const f = str2.substring(dot + 1).replace(/_/g, "");
          if (f[f.length - 1] === "0")
            node.minFractionDigits = f.length;
        }
        return node;
      },
      stringify: stringifyNumber.stringifyNumber
    };
    exports.float = float;
    exports.floatExp = floatExp;
    exports.floatNaN = floatNaN;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/int.js
var require_int2 = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/int.js"(exports) {
    "use strict";
    var stringifyNumber = require_stringifyNumber();
    var intIdentify = (value) => typeof value === "bigint" || Number.isInteger(value);
    function intResolve(str2, offset, radix, { intAsBigInt }) {
      const sign = str2[0];
      if (sign === "-" || sign === "+")
        offset += 1;
      str2 = str2.substring(offset).replace(/_/g, "");
      if (intAsBigInt) {
        switch (radix) {
          case 2:
            str2 = `0b${str2}`;
            break;
          case 8:
            str2 = `0o${str2}`;
            break;
          case 16:
            str2 = `0x${str2}`;
            break;
        }
        const n2 = BigInt(str2);
        return sign === "-" ? BigInt(-1) * n2 : n2;
      }
      const n = parseInt(str2, radix);
      return sign === "-" ? -1 * n : n;
    }
    function intStringify(node, radix, prefix) {
      const { value } = node;
      if (intIdentify(value)) {
        const str2 = value.toString(radix);
        return value < 0 ? "-" + prefix + str2.substr(1) : prefix + str2;
      }
      return stringifyNumber.stringifyNumber(node);
    }
    var intBin = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "BIN",
      test: /^[-+]?0b[0-1_]+$/,
      resolve: (str2, _onError, opt) => intResolve(str2, 2, 2, opt),
      stringify: (node) => intStringify(node, 2, "0b")
    };
    var intOct = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "OCT",
      test: /^[-+]?0[0-7_]+$/,
      resolve: (str2, _onError, opt) => intResolve(str2, 1, 8, opt),
      stringify: (node) => intStringify(node, 8, "0")
    };
    var int2 = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      test: /^[-+]?[0-9][0-9_]*$/,
      resolve: (str2, _onError, opt) => intResolve(str2, 0, 10, opt),
      stringify: stringifyNumber.stringifyNumber
    };
    var intHex = {
      identify: intIdentify,
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "HEX",
      test: /^[-+]?0x[0-9a-fA-F_]+$/,
      resolve: (str2, _onError, opt) => intResolve(str2, 2, 16, opt),
      stringify: (node) => intStringify(node, 16, "0x")
    };
    exports.int = int2;
    exports.intBin = intBin;
    exports.intHex = intHex;
    exports.intOct = intOct;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/set.js
var require_set = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/set.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Pair = require_Pair();
    var YAMLMap = require_YAMLMap();
    var YAMLSet = class _YAMLSet extends YAMLMap.YAMLMap {
      constructor(schema) {
        super(schema);
        this.tag = _YAMLSet.tag;
      }
      add(key) {
        let pair;
        if (identity.isPair(key))
          pair = key;
        else if (key && typeof key === "object" && "key" in key && "value" in key && key.value === null)
          pair = new Pair.Pair(key.key, null);
        else
          pair = new Pair.Pair(key, null);
        const prev = YAMLMap.findPair(this.items, pair.key);
        if (!prev)
          this.items.push(pair);
      }
      /**
       * If `keepPair` is `true`, returns the Pair matching `key`.
       * Otherwise, returns the value of that Pair's key.
       */
      get(key, keepPair) {
        const pair = YAMLMap.findPair(this.items, key);
        return !keepPair && identity.isPair(pair) ? identity.isScalar(pair.key) ? pair.key.value : pair.key : pair;
      }
      set(key, value) {
        if (typeof value !== "boolean")
          throw new Error(`Expected boolean value for set(key, value) in a YAML set, not ${typeof value}`);
        const prev = YAMLMap.findPair(this.items, key);
        if (prev && !value) {
          this.items.splice(this.items.indexOf(prev), 1);
        } else if (!prev && value) {
          this.items.push(new Pair.Pair(key));
        }
      }
      toJSON(_, ctx) {
        return super.toJSON(_, ctx, Set);
      }
      toString(ctx, onComment, onChompKeep) {
        if (!ctx)
          return JSON.stringify(this);
        if (this.hasAllNullValues(true))
          return super.toString(Object.assign({}, ctx, { allNullValues: true }), onComment, onChompKeep);
        else
          throw new Error("Set items must all have null values");
      }
      static from(schema, iterable, ctx) {
        const { replacer } = ctx;
        const set2 = new this(schema);
        if (iterable && Symbol.iterator in Object(iterable))
          for (let value of iterable) {
            if (typeof replacer === "function")
              value = replacer.call(iterable, value, value);
            set2.items.push(Pair.createPair(value, null, ctx));
          }
        return set2;
      }
    };
    YAMLSet.tag = "tag:yaml.org,2002:set";
    var set = {
      collection: "map",
      identify: (value) => value instanceof Set,
      nodeClass: YAMLSet,
      default: false,
      tag: "tag:yaml.org,2002:set",
      createNode: (schema, iterable, ctx) => YAMLSet.from(schema, iterable, ctx),
      resolve(map, onError) {
        if (identity.isMap(map)) {
          if (map.hasAllNullValues(true))
            return Object.assign(new YAMLSet(), map);
          else
            onError("Set items must all have null values");
        } else
          onError("Expected a mapping for this tag");
        return map;
      }
    };
    exports.YAMLSet = YAMLSet;
    exports.set = set;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/timestamp.js
var require_timestamp = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/timestamp.js"(exports) {
    "use strict";
    var stringifyNumber = require_stringifyNumber();
    function parseSexagesimal(str2, asBigInt) {
      const sign = str2[0];
      const parts = sign === "-" || sign === "+" ? str2.substring(1) : str2;
      const num2 = (n) => asBigInt ? BigInt(n) : Number(n);
      const res = parts.replace(/_/g, "").split(":").reduce((res2, p) => res2 * num2(60) + num2(p), num2(0));
      return sign === "-" ? num2(-1) * res : res;
    }
    function stringifySexagesimal(node) {
      let { value } = node;
      let num2 = (n) => n;
      if (typeof value === "bigint")
        num2 = (n) => BigInt(n);
      else if (isNaN(value) || !isFinite(value))
        return stringifyNumber.stringifyNumber(node);
      let sign = "";
      if (value < 0) {
        sign = "-";
        value *= num2(-1);
      }
      const _60 = num2(60);
      const parts = [value % _60];
      if (value < 60) {
        parts.unshift(0);
      } else {
        value = (value - parts[0]) / _60;
        parts.unshift(value % _60);
        if (value >= 60) {
          value = (value - parts[0]) / _60;
          parts.unshift(value);
        }
      }
      return sign + parts.map((n) => String(n).padStart(2, "0")).join(":").replace(/000000\d*$/, "");
    }
    var intTime = {
      identify: (value) => typeof value === "bigint" || Number.isInteger(value),
      default: true,
      tag: "tag:yaml.org,2002:int",
      format: "TIME",
      test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
      resolve: (str2, _onError, { intAsBigInt }) => parseSexagesimal(str2, intAsBigInt),
      stringify: stringifySexagesimal
    };
    var floatTime = {
      identify: (value) => typeof value === "number",
      default: true,
      tag: "tag:yaml.org,2002:float",
      format: "TIME",
      test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
      resolve: (str2) => parseSexagesimal(str2, false),
      stringify: stringifySexagesimal
    };
    var timestamp = {
      identify: (value) => value instanceof Date,
      default: true,
      tag: "tag:yaml.org,2002:timestamp",
      // If the time zone is omitted, the timestamp is assumed to be specified in UTC. The time part
      // may be omitted altogether, resulting in a date format. In such a case, the time part is
      // assumed to be 00:00:00Z (start of day, UTC).
      test: RegExp("^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \\t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$"),
      resolve(str2) {
        const match = str2.match(timestamp.test);
        if (!match)
          throw new Error("!!timestamp expects a date, starting with yyyy-mm-dd");
        const [, year, month, day, hour, minute, second] = match.map(Number);
        const millisec = match[7] ? Number((match[7] + "00").substr(1, 3)) : 0;
        let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
        const tz = match[8];
        if (tz && tz !== "Z") {
          let d = parseSexagesimal(tz, false);
          if (Math.abs(d) < 30)
            d *= 60;
          date -= 6e4 * d;
        }
        return new Date(date);
      },
      stringify: ({ value }) => value?.toISOString().replace(/(T00:00:00)?\.000Z$/, "") ?? ""
    };
    exports.floatTime = floatTime;
    exports.intTime = intTime;
    exports.timestamp = timestamp;
  }
});

// node_modules/yaml/dist/schema/yaml-1.1/schema.js
var require_schema3 = __commonJS({
  "node_modules/yaml/dist/schema/yaml-1.1/schema.js"(exports) {
    "use strict";
    var map = require_map();
    var _null = require_null();
    var seq = require_seq();
    var string = require_string();
    var binary = require_binary();
    var bool2 = require_bool2();
    var float = require_float2();
    var int2 = require_int2();
    var merge = require_merge();
    var omap = require_omap();
    var pairs = require_pairs();
    var set = require_set();
    var timestamp = require_timestamp();
    var schema = [
      map.map,
      seq.seq,
      string.string,
      _null.nullTag,
      bool2.trueTag,
      bool2.falseTag,
      int2.intBin,
      int2.intOct,
      int2.int,
      int2.intHex,
      float.floatNaN,
      float.floatExp,
      float.float,
      binary.binary,
      merge.merge,
      omap.omap,
      pairs.pairs,
      set.set,
      timestamp.intTime,
      timestamp.floatTime,
      timestamp.timestamp
    ];
    exports.schema = schema;
  }
});

// node_modules/yaml/dist/schema/tags.js
var require_tags = __commonJS({
  "node_modules/yaml/dist/schema/tags.js"(exports) {
    "use strict";
    var map = require_map();
    var _null = require_null();
    var seq = require_seq();
    var string = require_string();
    var bool2 = require_bool();
    var float = require_float();
    var int2 = require_int();
    var schema = require_schema();
    var schema$1 = require_schema2();
    var binary = require_binary();
    var merge = require_merge();
    var omap = require_omap();
    var pairs = require_pairs();
    var schema$2 = require_schema3();
    var set = require_set();
    var timestamp = require_timestamp();
    var schemas = /* @__PURE__ */ new Map([
      ["core", schema.schema],
      ["failsafe", [map.map, seq.seq, string.string]],
      ["json", schema$1.schema],
      ["yaml11", schema$2.schema],
      ["yaml-1.1", schema$2.schema]
    ]);
    var tagsByName = {
      binary: binary.binary,
      bool: bool2.boolTag,
      float: float.float,
      floatExp: float.floatExp,
      floatNaN: float.floatNaN,
      floatTime: timestamp.floatTime,
      int: int2.int,
      intHex: int2.intHex,
      intOct: int2.intOct,
      intTime: timestamp.intTime,
      map: map.map,
      merge: merge.merge,
      null: _null.nullTag,
      omap: omap.omap,
      pairs: pairs.pairs,
      seq: seq.seq,
      set: set.set,
      timestamp: timestamp.timestamp
    };
    var coreKnownTags = {
      "tag:yaml.org,2002:binary": binary.binary,
      "tag:yaml.org,2002:merge": merge.merge,
      "tag:yaml.org,2002:omap": omap.omap,
      "tag:yaml.org,2002:pairs": pairs.pairs,
      "tag:yaml.org,2002:set": set.set,
      "tag:yaml.org,2002:timestamp": timestamp.timestamp
    };
    function getTags(customTags, schemaName, addMergeTag) {
      const schemaTags = schemas.get(schemaName);
      if (schemaTags && !customTags) {
        return addMergeTag && !schemaTags.includes(merge.merge) ? schemaTags.concat(merge.merge) : schemaTags.slice();
      }
      let tags = schemaTags;
      if (!tags) {
        if (Array.isArray(customTags))
          tags = [];
        else {
          const keys = Array.from(schemas.keys()).filter((key) => key !== "yaml11").map((key) => JSON.stringify(key)).join(", ");
          throw new Error(`Unknown schema "${schemaName}"; use one of ${keys} or define customTags array`);
        }
      }
      if (Array.isArray(customTags)) {
        for (const tag of customTags)
          tags = tags.concat(tag);
      } else if (typeof customTags === "function") {
        tags = customTags(tags.slice());
      }
      if (addMergeTag)
        tags = tags.concat(merge.merge);
      return tags.reduce((tags2, tag) => {
        const tagObj = typeof tag === "string" ? tagsByName[tag] : tag;
        if (!tagObj) {
          const tagName = JSON.stringify(tag);
          const keys = Object.keys(tagsByName).map((key) => JSON.stringify(key)).join(", ");
          throw new Error(`Unknown custom tag ${tagName}; use one of ${keys}`);
        }
        if (!tags2.includes(tagObj))
          tags2.push(tagObj);
        return tags2;
      }, []);
    }
    exports.coreKnownTags = coreKnownTags;
    exports.getTags = getTags;
  }
});

// node_modules/yaml/dist/schema/Schema.js
var require_Schema = __commonJS({
  "node_modules/yaml/dist/schema/Schema.js"(exports) {
    "use strict";
    var identity = require_identity();
    var map = require_map();
    var seq = require_seq();
    var string = require_string();
    var tags = require_tags();
    var sortMapEntriesByKey = (a, b2) => a.key < b2.key ? -1 : a.key > b2.key ? 1 : 0;
    var Schema = class _Schema {
      constructor({ compat, customTags, merge, resolveKnownTags, schema, sortMapEntries, toStringDefaults }) {
        this.compat = Array.isArray(compat) ? tags.getTags(compat, "compat") : compat ? tags.getTags(null, compat) : null;
        this.name = typeof schema === "string" && schema || "core";
        this.knownTags = resolveKnownTags ? tags.coreKnownTags : {};
        this.tags = tags.getTags(customTags, this.name, merge);
        this.toStringOptions = toStringDefaults ?? null;
        Object.defineProperty(this, identity.MAP, { value: map.map });
        Object.defineProperty(this, identity.SCALAR, { value: string.string });
        Object.defineProperty(this, identity.SEQ, { value: seq.seq });
        this.sortMapEntries = typeof sortMapEntries === "function" ? sortMapEntries : sortMapEntries === true ? sortMapEntriesByKey : null;
      }
      clone() {
        const copy = Object.create(_Schema.prototype, Object.getOwnPropertyDescriptors(this));
        copy.tags = this.tags.slice();
        return copy;
      }
    };
    exports.Schema = Schema;
  }
});

// node_modules/yaml/dist/stringify/stringifyDocument.js
var require_stringifyDocument = __commonJS({
  "node_modules/yaml/dist/stringify/stringifyDocument.js"(exports) {
    "use strict";
    var identity = require_identity();
    var stringify2 = require_stringify();
    var stringifyComment = require_stringifyComment();
    function stringifyDocument(doc, options) {
      const lines = [];
      let hasDirectives = options.directives === true;
      if (options.directives !== false && doc.directives) {
        const dir = doc.directives.toString(doc);
        if (dir) {
          lines.push(dir);
          hasDirectives = true;
        } else if (doc.directives.docStart)
          hasDirectives = true;
      }
      if (hasDirectives)
        lines.push("---");
      const ctx = stringify2.createStringifyContext(doc, options);
      const { commentString } = ctx.options;
      if (doc.commentBefore) {
        if (lines.length !== 1)
          lines.unshift("");
        const cs = commentString(doc.commentBefore);
        lines.unshift(stringifyComment.indentComment(cs, ""));
      }
      let chompKeep = false;
      let contentComment = null;
      if (doc.contents) {
        if (identity.isNode(doc.contents)) {
          if (doc.contents.spaceBefore && hasDirectives)
            lines.push("");
          if (doc.contents.commentBefore) {
            const cs = commentString(doc.contents.commentBefore);
            lines.push(stringifyComment.indentComment(cs, ""));
          }
          ctx.forceBlockIndent = !!doc.comment;
          contentComment = doc.contents.comment;
        }
        const onChompKeep = contentComment ? void 0 : () => chompKeep = true;
        let body = stringify2.stringify(doc.contents, ctx, () => contentComment = null, onChompKeep);
        if (contentComment)
          body += stringifyComment.lineComment(body, "", commentString(contentComment));
        if ((body[0] === "|" || body[0] === ">") && lines[lines.length - 1] === "---") {
          lines[lines.length - 1] = `--- ${body}`;
        } else
          lines.push(body);
      } else {
        lines.push(stringify2.stringify(doc.contents, ctx));
      }
      if (doc.directives?.docEnd) {
        if (doc.comment) {
          const cs = commentString(doc.comment);
          if (cs.includes("\n")) {
            lines.push("...");
            lines.push(stringifyComment.indentComment(cs, ""));
          } else {
            lines.push(`... ${cs}`);
          }
        } else {
          lines.push("...");
        }
      } else {
        let dc = doc.comment;
        if (dc && chompKeep)
          dc = dc.replace(/^\n+/, "");
        if (dc) {
          if ((!chompKeep || contentComment) && lines[lines.length - 1] !== "")
            lines.push("");
          lines.push(stringifyComment.indentComment(commentString(dc), ""));
        }
      }
      return lines.join("\n") + "\n";
    }
    exports.stringifyDocument = stringifyDocument;
  }
});

// node_modules/yaml/dist/doc/Document.js
var require_Document = __commonJS({
  "node_modules/yaml/dist/doc/Document.js"(exports) {
    "use strict";
    var Alias = require_Alias();
    var Collection = require_Collection();
    var identity = require_identity();
    var Pair = require_Pair();
    var toJS = require_toJS();
    var Schema = require_Schema();
    var stringifyDocument = require_stringifyDocument();
    var anchors = require_anchors();
    var applyReviver = require_applyReviver();
    var createNode = require_createNode();
    var directives = require_directives();
    var Document = class _Document {
      constructor(value, replacer, options) {
        this.commentBefore = null;
        this.comment = null;
        this.errors = [];
        this.warnings = [];
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.DOC });
        let _replacer = null;
        if (typeof replacer === "function" || Array.isArray(replacer)) {
          _replacer = replacer;
        } else if (options === void 0 && replacer) {
          options = replacer;
          replacer = void 0;
        }
        const opt = Object.assign({
          intAsBigInt: false,
          keepSourceTokens: false,
          logLevel: "warn",
          prettyErrors: true,
          strict: true,
          stringKeys: false,
          uniqueKeys: true,
          version: "1.2"
        }, options);
        this.options = opt;
        let { version } = opt;
        if (options?._directives) {
          this.directives = options._directives.atDocument();
          if (this.directives.yaml.explicit)
            version = this.directives.yaml.version;
        } else
          this.directives = new directives.Directives({ version });
        this.setSchema(version, options);
        this.contents = value === void 0 ? null : this.createNode(value, _replacer, options);
      }
      /**
       * Create a deep copy of this Document and its contents.
       *
       * Custom Node values that inherit from `Object` still refer to their original instances.
       */
      clone() {
        const copy = Object.create(_Document.prototype, {
          [identity.NODE_TYPE]: { value: identity.DOC }
        });
        copy.commentBefore = this.commentBefore;
        copy.comment = this.comment;
        copy.errors = this.errors.slice();
        copy.warnings = this.warnings.slice();
        copy.options = Object.assign({}, this.options);
        if (this.directives)
          copy.directives = this.directives.clone();
        copy.schema = this.schema.clone();
        copy.contents = identity.isNode(this.contents) ? this.contents.clone(copy.schema) : this.contents;
        if (this.range)
          copy.range = this.range.slice();
        return copy;
      }
      /** Adds a value to the document. */
      add(value) {
        if (assertCollection(this.contents))
          this.contents.add(value);
      }
      /** Adds a value to the document. */
      addIn(path6, value) {
        if (assertCollection(this.contents))
          this.contents.addIn(path6, value);
      }
      /**
       * Create a new `Alias` node, ensuring that the target `node` has the required anchor.
       *
       * If `node` already has an anchor, `name` is ignored.
       * Otherwise, the `node.anchor` value will be set to `name`,
       * or if an anchor with that name is already present in the document,
       * `name` will be used as a prefix for a new unique anchor.
       * If `name` is undefined, the generated anchor will use 'a' as a prefix.
       */
      createAlias(node, name) {
        if (!node.anchor) {
          const prev = anchors.anchorNames(this);
          node.anchor = // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
          !name || prev.has(name) ? anchors.findNewAnchor(name || "a", prev) : name;
        }
        return new Alias.Alias(node.anchor);
      }
      createNode(value, replacer, options) {
        let _replacer = void 0;
        if (typeof replacer === "function") {
          value = replacer.call({ "": value }, "", value);
          _replacer = replacer;
        } else if (Array.isArray(replacer)) {
          const keyToStr = (v) => typeof v === "number" || v instanceof String || v instanceof Number;
          const asStr = replacer.filter(keyToStr).map(String);
          if (asStr.length > 0)
            replacer = replacer.concat(asStr);
          _replacer = replacer;
        } else if (options === void 0 && replacer) {
          options = replacer;
          replacer = void 0;
        }
        const { aliasDuplicateObjects, anchorPrefix, flow, keepUndefined, onTagObj, tag } = options ?? {};
        const { onAnchor, setAnchors, sourceObjects } = anchors.createNodeAnchors(
          this,
          // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
          anchorPrefix || "a"
        );
        const ctx = {
          aliasDuplicateObjects: aliasDuplicateObjects ?? true,
          keepUndefined: keepUndefined ?? false,
          onAnchor,
          onTagObj,
          replacer: _replacer,
          schema: this.schema,
          sourceObjects
        };
        const node = createNode.createNode(value, tag, ctx);
        if (flow && identity.isCollection(node))
          node.flow = true;
        setAnchors();
        return node;
      }
      /**
       * Convert a key and a value into a `Pair` using the current schema,
       * recursively wrapping all values as `Scalar` or `Collection` nodes.
       */
      createPair(key, value, options = {}) {
        const k = this.createNode(key, null, options);
        const v = this.createNode(value, null, options);
        return new Pair.Pair(k, v);
      }
      /**
       * Removes a value from the document.
       * @returns `true` if the item was found and removed.
       */
      delete(key) {
        return assertCollection(this.contents) ? this.contents.delete(key) : false;
      }
      /**
       * Removes a value from the document.
       * @returns `true` if the item was found and removed.
       */
      deleteIn(path6) {
        if (Collection.isEmptyPath(path6)) {
          if (this.contents == null)
            return false;
          this.contents = null;
          return true;
        }
        return assertCollection(this.contents) ? this.contents.deleteIn(path6) : false;
      }
      /**
       * Returns item at `key`, or `undefined` if not found. By default unwraps
       * scalar values from their surrounding node; to disable set `keepScalar` to
       * `true` (collections are always returned intact).
       */
      get(key, keepScalar) {
        return identity.isCollection(this.contents) ? this.contents.get(key, keepScalar) : void 0;
      }
      /**
       * Returns item at `path`, or `undefined` if not found. By default unwraps
       * scalar values from their surrounding node; to disable set `keepScalar` to
       * `true` (collections are always returned intact).
       */
      getIn(path6, keepScalar) {
        if (Collection.isEmptyPath(path6))
          return !keepScalar && identity.isScalar(this.contents) ? this.contents.value : this.contents;
        return identity.isCollection(this.contents) ? this.contents.getIn(path6, keepScalar) : void 0;
      }
      /**
       * Checks if the document includes a value with the key `key`.
       */
      has(key) {
        return identity.isCollection(this.contents) ? this.contents.has(key) : false;
      }
      /**
       * Checks if the document includes a value at `path`.
       */
      hasIn(path6) {
        if (Collection.isEmptyPath(path6))
          return this.contents !== void 0;
        return identity.isCollection(this.contents) ? this.contents.hasIn(path6) : false;
      }
      /**
       * Sets a value in this document. For `!!set`, `value` needs to be a
       * boolean to add/remove the item from the set.
       */
      set(key, value) {
        if (this.contents == null) {
          this.contents = Collection.collectionFromPath(this.schema, [key], value);
        } else if (assertCollection(this.contents)) {
          this.contents.set(key, value);
        }
      }
      /**
       * Sets a value in this document. For `!!set`, `value` needs to be a
       * boolean to add/remove the item from the set.
       */
      setIn(path6, value) {
        if (Collection.isEmptyPath(path6)) {
          this.contents = value;
        } else if (this.contents == null) {
          this.contents = Collection.collectionFromPath(this.schema, Array.from(path6), value);
        } else if (assertCollection(this.contents)) {
          this.contents.setIn(path6, value);
        }
      }
      /**
       * Change the YAML version and schema used by the document.
       * A `null` version disables support for directives, explicit tags, anchors, and aliases.
       * It also requires the `schema` option to be given as a `Schema` instance value.
       *
       * Overrides all previously set schema options.
       */
      setSchema(version, options = {}) {
        if (typeof version === "number")
          version = String(version);
        let opt;
        switch (version) {
          case "1.1":
            if (this.directives)
              this.directives.yaml.version = "1.1";
            else
              this.directives = new directives.Directives({ version: "1.1" });
            opt = { resolveKnownTags: false, schema: "yaml-1.1" };
            break;
          case "1.2":
          case "next":
            if (this.directives)
              this.directives.yaml.version = version;
            else
              this.directives = new directives.Directives({ version });
            opt = { resolveKnownTags: true, schema: "core" };
            break;
          case null:
            if (this.directives)
              delete this.directives;
            opt = null;
            break;
          default: {
            const sv = JSON.stringify(version);
            throw new Error(`Expected '1.1', '1.2' or null as first argument, but found: ${sv}`);
          }
        }
        if (options.schema instanceof Object)
          this.schema = options.schema;
        else if (opt)
          this.schema = new Schema.Schema(Object.assign(opt, options));
        else
          throw new Error(`With a null YAML version, the { schema: Schema } option is required`);
      }
      // json & jsonArg are only used from toJSON()
      toJS({ json, jsonArg, mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        const ctx = {
          anchors: /* @__PURE__ */ new Map(),
          doc: this,
          keep: !json,
          mapAsMap: mapAsMap === true,
          mapKeyWarned: false,
          maxAliasCount: typeof maxAliasCount === "number" ? maxAliasCount : 100
        };
        const res = toJS.toJS(this.contents, jsonArg ?? "", ctx);
        if (typeof onAnchor === "function")
          for (const { count, res: res2 } of ctx.anchors.values())
            onAnchor(res2, count);
        return typeof reviver === "function" ? applyReviver.applyReviver(reviver, { "": res }, "", res) : res;
      }
      /**
       * A JSON representation of the document `contents`.
       *
       * @param jsonArg Used by `JSON.stringify` to indicate the array index or
       *   property name.
       */
      toJSON(jsonArg, onAnchor) {
        return this.toJS({ json: true, jsonArg, mapAsMap: false, onAnchor });
      }
      /** A YAML representation of the document. */
      toString(options = {}) {
        if (this.errors.length > 0)
          throw new Error("Document with errors cannot be stringified");
        if ("indent" in options && (!Number.isInteger(options.indent) || Number(options.indent) <= 0)) {
          const s2 = JSON.stringify(options.indent);
          throw new Error(`"indent" option must be a positive integer, not ${s2}`);
        }
        return stringifyDocument.stringifyDocument(this, options);
      }
    };
    function assertCollection(contents) {
      if (identity.isCollection(contents))
        return true;
      throw new Error("Expected a YAML collection as document contents");
    }
    exports.Document = Document;
  }
});

// node_modules/yaml/dist/errors.js
var require_errors = __commonJS({
  "node_modules/yaml/dist/errors.js"(exports) {
    "use strict";
    var YAMLError = class extends Error {
      constructor(name, pos, code, message) {
        super();
        this.name = name;
        this.code = code;
        this.message = message;
        this.pos = pos;
      }
    };
    var YAMLParseError = class extends YAMLError {
      constructor(pos, code, message) {
        super("YAMLParseError", pos, code, message);
      }
    };
    var YAMLWarning = class extends YAMLError {
      constructor(pos, code, message) {
        super("YAMLWarning", pos, code, message);
      }
    };
    var prettifyError = (src, lc) => (error) => {
      if (error.pos[0] === -1)
        return;
      error.linePos = error.pos.map((pos) => lc.linePos(pos));
      const { line, col: col2 } = error.linePos[0];
      error.message += ` at line ${line}, column ${col2}`;
      let ci = col2 - 1;
      let lineStr = src.substring(lc.lineStarts[line - 1], lc.lineStarts[line]).replace(/[\n\r]+$/, "");
      if (ci >= 60 && lineStr.length > 80) {
        const trimStart = Math.min(ci - 39, lineStr.length - 79);
        lineStr = "\u2026" + lineStr.substring(trimStart);
        ci -= trimStart - 1;
      }
      if (lineStr.length > 80)
        lineStr = lineStr.substring(0, 79) + "\u2026";
      if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
        let prev = src.substring(lc.lineStarts[line - 2], lc.lineStarts[line - 1]);
        if (prev.length > 80)
          prev = prev.substring(0, 79) + "\u2026\n";
        lineStr = prev + lineStr;
      }
      if (/[^ ]/.test(lineStr)) {
        let count = 1;
        const end = error.linePos[1];
        if (end?.line === line && end.col > col2) {
          count = Math.max(1, Math.min(end.col - col2, 80 - ci));
        }
        const pointer = " ".repeat(ci) + "^".repeat(count);
        error.message += `:

${lineStr}
${pointer}
`;
      }
    };
    exports.YAMLError = YAMLError;
    exports.YAMLParseError = YAMLParseError;
    exports.YAMLWarning = YAMLWarning;
    exports.prettifyError = prettifyError;
  }
});

// node_modules/yaml/dist/compose/resolve-props.js
var require_resolve_props = __commonJS({
  "node_modules/yaml/dist/compose/resolve-props.js"(exports) {
    "use strict";
    function resolveProps(tokens, { flow, indicator, next, offset, onError, parentIndent, startOnNewline }) {
      let spaceBefore = false;
      let atNewline = startOnNewline;
      let hasSpace = startOnNewline;
      let comment = "";
      let commentSep = "";
      let hasNewline = false;
      let reqSpace = false;
      let tab = null;
      let anchor = null;
      let tag = null;
      let newlineAfterProp = null;
      let comma = null;
      let found = null;
      let start = null;
      for (const token of tokens) {
        if (reqSpace) {
          if (token.type !== "space" && token.type !== "newline" && token.type !== "comma")
            onError(token.offset, "MISSING_CHAR", "Tags and anchors must be separated from the next token by white space");
          reqSpace = false;
        }
        if (tab) {
          if (atNewline && token.type !== "comment" && token.type !== "newline") {
            onError(tab, "TAB_AS_INDENT", "Tabs are not allowed as indentation");
          }
          tab = null;
        }
        switch (token.type) {
          case "space":
            if (!flow && (indicator !== "doc-start" || next?.type !== "flow-collection") && token.source.includes("	")) {
              tab = token;
            }
            hasSpace = true;
            break;
          case "comment": {
            if (!hasSpace)
              onError(token, "MISSING_CHAR", "Comments must be separated from other tokens by white space characters");
            const cb = token.source.substring(1) || " ";
            if (!comment)
              comment = cb;
            else
              comment += commentSep + cb;
            commentSep = "";
            atNewline = false;
            break;
          }
          case "newline":
            if (atNewline) {
              if (comment)
                comment += token.source;
              else if (!found || indicator !== "seq-item-ind")
                spaceBefore = true;
            } else
              commentSep += token.source;
            atNewline = true;
            hasNewline = true;
            if (anchor || tag)
              newlineAfterProp = token;
            hasSpace = true;
            break;
          case "anchor":
            if (anchor)
              onError(token, "MULTIPLE_ANCHORS", "A node can have at most one anchor");
            if (token.source.endsWith(":"))
              onError(token.offset + token.source.length - 1, "BAD_ALIAS", "Anchor ending in : is ambiguous", true);
            anchor = token;
            start ?? (start = token.offset);
            atNewline = false;
            hasSpace = false;
            reqSpace = true;
            break;
          case "tag": {
            if (tag)
              onError(token, "MULTIPLE_TAGS", "A node can have at most one tag");
            tag = token;
            start ?? (start = token.offset);
            atNewline = false;
            hasSpace = false;
            reqSpace = true;
            break;
          }
          case indicator:
            if (anchor || tag)
              onError(token, "BAD_PROP_ORDER", `Anchors and tags must be after the ${token.source} indicator`);
            if (found)
              onError(token, "UNEXPECTED_TOKEN", `Unexpected ${token.source} in ${flow ?? "collection"}`);
            found = token;
            atNewline = indicator === "seq-item-ind" || indicator === "explicit-key-ind";
            hasSpace = false;
            break;
          case "comma":
            if (flow) {
              if (comma)
                onError(token, "UNEXPECTED_TOKEN", `Unexpected , in ${flow}`);
              comma = token;
              atNewline = false;
              hasSpace = false;
              break;
            }
          // else fallthrough
          default:
            onError(token, "UNEXPECTED_TOKEN", `Unexpected ${token.type} token`);
            atNewline = false;
            hasSpace = false;
        }
      }
      const last = tokens[tokens.length - 1];
      const end = last ? last.offset + last.source.length : offset;
      if (reqSpace && next && next.type !== "space" && next.type !== "newline" && next.type !== "comma" && (next.type !== "scalar" || next.source !== "")) {
        onError(next.offset, "MISSING_CHAR", "Tags and anchors must be separated from the next token by white space");
      }
      if (tab && (atNewline && tab.indent <= parentIndent || next?.type === "block-map" || next?.type === "block-seq"))
        onError(tab, "TAB_AS_INDENT", "Tabs are not allowed as indentation");
      return {
        comma,
        found,
        spaceBefore,
        comment,
        hasNewline,
        anchor,
        tag,
        newlineAfterProp,
        end,
        start: start ?? end
      };
    }
    exports.resolveProps = resolveProps;
  }
});

// node_modules/yaml/dist/compose/util-contains-newline.js
var require_util_contains_newline = __commonJS({
  "node_modules/yaml/dist/compose/util-contains-newline.js"(exports) {
    "use strict";
    function containsNewline(key) {
      if (!key)
        return null;
      switch (key.type) {
        case "alias":
        case "scalar":
        case "double-quoted-scalar":
        case "single-quoted-scalar":
          if (key.source.includes("\n"))
            return true;
          if (key.end) {
            for (const st of key.end)
              if (st.type === "newline")
                return true;
          }
          return false;
        case "flow-collection":
          for (const it of key.items) {
            for (const st of it.start)
              if (st.type === "newline")
                return true;
            if (it.sep) {
              for (const st of it.sep)
                if (st.type === "newline")
                  return true;
            }
            if (containsNewline(it.key) || containsNewline(it.value))
              return true;
          }
          return false;
        default:
          return true;
      }
    }
    exports.containsNewline = containsNewline;
  }
});

// node_modules/yaml/dist/compose/util-flow-indent-check.js
var require_util_flow_indent_check = __commonJS({
  "node_modules/yaml/dist/compose/util-flow-indent-check.js"(exports) {
    "use strict";
    var utilContainsNewline = require_util_contains_newline();
    function flowIndentCheck(indent2, fc, onError) {
      if (fc?.type === "flow-collection") {
        const end = fc.end[0];
        if (end.indent === indent2 && (end.source === "]" || end.source === "}") && utilContainsNewline.containsNewline(fc)) {
          const msg = "Flow end indicator should be more indented than parent";
          onError(end, "BAD_INDENT", msg, true);
        }
      }
    }
    exports.flowIndentCheck = flowIndentCheck;
  }
});

// node_modules/yaml/dist/compose/util-map-includes.js
var require_util_map_includes = __commonJS({
  "node_modules/yaml/dist/compose/util-map-includes.js"(exports) {
    "use strict";
    var identity = require_identity();
    function mapIncludes(ctx, items, search) {
      const { uniqueKeys } = ctx.options;
      if (uniqueKeys === false)
        return false;
      const isEqual = typeof uniqueKeys === "function" ? uniqueKeys : (a, b2) => a === b2 || identity.isScalar(a) && identity.isScalar(b2) && a.value === b2.value;
      return items.some((pair) => isEqual(pair.key, search));
    }
    exports.mapIncludes = mapIncludes;
  }
});

// node_modules/yaml/dist/compose/resolve-block-map.js
var require_resolve_block_map = __commonJS({
  "node_modules/yaml/dist/compose/resolve-block-map.js"(exports) {
    "use strict";
    var Pair = require_Pair();
    var YAMLMap = require_YAMLMap();
    var resolveProps = require_resolve_props();
    var utilContainsNewline = require_util_contains_newline();
    var utilFlowIndentCheck = require_util_flow_indent_check();
    var utilMapIncludes = require_util_map_includes();
    var startColMsg = "All mapping items must start at the same column";
    function resolveBlockMap({ composeNode, composeEmptyNode }, ctx, bm, onError, tag) {
      const NodeClass = tag?.nodeClass ?? YAMLMap.YAMLMap;
      const map = new NodeClass(ctx.schema);
      if (ctx.atRoot)
        ctx.atRoot = false;
      let offset = bm.offset;
      let commentEnd = null;
      for (const collItem of bm.items) {
        const { start, key, sep, value } = collItem;
        const keyProps = resolveProps.resolveProps(start, {
          indicator: "explicit-key-ind",
          next: key ?? sep?.[0],
          offset,
          onError,
          parentIndent: bm.indent,
          startOnNewline: true
        });
        const implicitKey = !keyProps.found;
        if (implicitKey) {
          if (key) {
            if (key.type === "block-seq")
              onError(offset, "BLOCK_AS_IMPLICIT_KEY", "A block sequence may not be used as an implicit map key");
            else if ("indent" in key && key.indent !== bm.indent)
              onError(offset, "BAD_INDENT", startColMsg);
          }
          if (!keyProps.anchor && !keyProps.tag && !sep) {
            commentEnd = keyProps.end;
            if (keyProps.comment) {
              if (map.comment)
                map.comment += "\n" + keyProps.comment;
              else
                map.comment = keyProps.comment;
            }
            continue;
          }
          if (keyProps.newlineAfterProp || utilContainsNewline.containsNewline(key)) {
            onError(key ?? start[start.length - 1], "MULTILINE_IMPLICIT_KEY", "Implicit keys need to be on a single line");
          }
        } else if (keyProps.found?.indent !== bm.indent) {
          onError(offset, "BAD_INDENT", startColMsg);
        }
        ctx.atKey = true;
        const keyStart = keyProps.end;
        const keyNode = key ? composeNode(ctx, key, keyProps, onError) : composeEmptyNode(ctx, keyStart, start, null, keyProps, onError);
        if (ctx.schema.compat)
          utilFlowIndentCheck.flowIndentCheck(bm.indent, key, onError);
        ctx.atKey = false;
        if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
          onError(keyStart, "DUPLICATE_KEY", "Map keys must be unique");
        const valueProps = resolveProps.resolveProps(sep ?? [], {
          indicator: "map-value-ind",
          next: value,
          offset: keyNode.range[2],
          onError,
          parentIndent: bm.indent,
          startOnNewline: !key || key.type === "block-scalar"
        });
        offset = valueProps.end;
        if (valueProps.found) {
          if (implicitKey) {
            if (value?.type === "block-map" && !valueProps.hasNewline)
              onError(offset, "BLOCK_AS_IMPLICIT_KEY", "Nested mappings are not allowed in compact mappings");
            if (ctx.options.strict && keyProps.start < valueProps.found.offset - 1024)
              onError(keyNode.range, "KEY_OVER_1024_CHARS", "The : indicator must be at most 1024 chars after the start of an implicit block mapping key");
          }
          const valueNode = value ? composeNode(ctx, value, valueProps, onError) : composeEmptyNode(ctx, offset, sep, null, valueProps, onError);
          if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bm.indent, value, onError);
          offset = valueNode.range[2];
          const pair = new Pair.Pair(keyNode, valueNode);
          if (ctx.options.keepSourceTokens)
            pair.srcToken = collItem;
          map.items.push(pair);
        } else {
          if (implicitKey)
            onError(keyNode.range, "MISSING_CHAR", "Implicit map keys need to be followed by map values");
          if (valueProps.comment) {
            if (keyNode.comment)
              keyNode.comment += "\n" + valueProps.comment;
            else
              keyNode.comment = valueProps.comment;
          }
          const pair = new Pair.Pair(keyNode);
          if (ctx.options.keepSourceTokens)
            pair.srcToken = collItem;
          map.items.push(pair);
        }
      }
      if (commentEnd && commentEnd < offset)
        onError(commentEnd, "IMPOSSIBLE", "Map comment with trailing content");
      map.range = [bm.offset, offset, commentEnd ?? offset];
      return map;
    }
    exports.resolveBlockMap = resolveBlockMap;
  }
});

// node_modules/yaml/dist/compose/resolve-block-seq.js
var require_resolve_block_seq = __commonJS({
  "node_modules/yaml/dist/compose/resolve-block-seq.js"(exports) {
    "use strict";
    var YAMLSeq = require_YAMLSeq();
    var resolveProps = require_resolve_props();
    var utilFlowIndentCheck = require_util_flow_indent_check();
    function resolveBlockSeq({ composeNode, composeEmptyNode }, ctx, bs, onError, tag) {
      const NodeClass = tag?.nodeClass ?? YAMLSeq.YAMLSeq;
      const seq = new NodeClass(ctx.schema);
      if (ctx.atRoot)
        ctx.atRoot = false;
      if (ctx.atKey)
        ctx.atKey = false;
      let offset = bs.offset;
      let commentEnd = null;
      for (const { start, value } of bs.items) {
        const props = resolveProps.resolveProps(start, {
          indicator: "seq-item-ind",
          next: value,
          offset,
          onError,
          parentIndent: bs.indent,
          startOnNewline: true
        });
        if (!props.found) {
          if (props.anchor || props.tag || value) {
            if (value?.type === "block-seq")
              onError(props.end, "BAD_INDENT", "All sequence items must start at the same column");
            else
              onError(offset, "MISSING_CHAR", "Sequence item without - indicator");
          } else {
            commentEnd = props.end;
            if (props.comment)
              seq.comment = props.comment;
            continue;
          }
        }
        const node = value ? composeNode(ctx, value, props, onError) : composeEmptyNode(ctx, props.end, start, null, props, onError);
        if (ctx.schema.compat)
          utilFlowIndentCheck.flowIndentCheck(bs.indent, value, onError);
        offset = node.range[2];
        seq.items.push(node);
      }
      seq.range = [bs.offset, offset, commentEnd ?? offset];
      return seq;
    }
    exports.resolveBlockSeq = resolveBlockSeq;
  }
});

// node_modules/yaml/dist/compose/resolve-end.js
var require_resolve_end = __commonJS({
  "node_modules/yaml/dist/compose/resolve-end.js"(exports) {
    "use strict";
    function resolveEnd(end, offset, reqSpace, onError) {
      let comment = "";
      if (end) {
        let hasSpace = false;
        let sep = "";
        for (const token of end) {
          const { source, type } = token;
          switch (type) {
            case "space":
              hasSpace = true;
              break;
            case "comment": {
              if (reqSpace && !hasSpace)
                onError(token, "MISSING_CHAR", "Comments must be separated from other tokens by white space characters");
              const cb = source.substring(1) || " ";
              if (!comment)
                comment = cb;
              else
                comment += sep + cb;
              sep = "";
              break;
            }
            case "newline":
              if (comment)
                sep += source;
              hasSpace = true;
              break;
            default:
              onError(token, "UNEXPECTED_TOKEN", `Unexpected ${type} at node end`);
          }
          offset += source.length;
        }
      }
      return { comment, offset };
    }
    exports.resolveEnd = resolveEnd;
  }
});

// node_modules/yaml/dist/compose/resolve-flow-collection.js
var require_resolve_flow_collection = __commonJS({
  "node_modules/yaml/dist/compose/resolve-flow-collection.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Pair = require_Pair();
    var YAMLMap = require_YAMLMap();
    var YAMLSeq = require_YAMLSeq();
    var resolveEnd = require_resolve_end();
    var resolveProps = require_resolve_props();
    var utilContainsNewline = require_util_contains_newline();
    var utilMapIncludes = require_util_map_includes();
    var blockMsg = "Block collections are not allowed within flow collections";
    var isBlock = (token) => token && (token.type === "block-map" || token.type === "block-seq");
    function resolveFlowCollection({ composeNode, composeEmptyNode }, ctx, fc, onError, tag) {
      const isMap = fc.start.source === "{";
      const fcName = isMap ? "flow map" : "flow sequence";
      const NodeClass = tag?.nodeClass ?? (isMap ? YAMLMap.YAMLMap : YAMLSeq.YAMLSeq);
      const coll = new NodeClass(ctx.schema);
      coll.flow = true;
      const atRoot = ctx.atRoot;
      if (atRoot)
        ctx.atRoot = false;
      if (ctx.atKey)
        ctx.atKey = false;
      let offset = fc.offset + fc.start.source.length;
      for (let i = 0; i < fc.items.length; ++i) {
        const collItem = fc.items[i];
        const { start, key, sep, value } = collItem;
        const props = resolveProps.resolveProps(start, {
          flow: fcName,
          indicator: "explicit-key-ind",
          next: key ?? sep?.[0],
          offset,
          onError,
          parentIndent: fc.indent,
          startOnNewline: false
        });
        if (!props.found) {
          if (!props.anchor && !props.tag && !sep && !value) {
            if (i === 0 && props.comma)
              onError(props.comma, "UNEXPECTED_TOKEN", `Unexpected , in ${fcName}`);
            else if (i < fc.items.length - 1)
              onError(props.start, "UNEXPECTED_TOKEN", `Unexpected empty item in ${fcName}`);
            if (props.comment) {
              if (coll.comment)
                coll.comment += "\n" + props.comment;
              else
                coll.comment = props.comment;
            }
            offset = props.end;
            continue;
          }
          if (!isMap && ctx.options.strict && utilContainsNewline.containsNewline(key))
            onError(
              key,
              // checked by containsNewline()
              "MULTILINE_IMPLICIT_KEY",
              "Implicit keys of flow sequence pairs need to be on a single line"
            );
        }
        if (i === 0) {
          if (props.comma)
            onError(props.comma, "UNEXPECTED_TOKEN", `Unexpected , in ${fcName}`);
        } else {
          if (!props.comma)
            onError(props.start, "MISSING_CHAR", `Missing , between ${fcName} items`);
          if (props.comment) {
            let prevItemComment = "";
            loop: for (const st of start) {
              switch (st.type) {
                case "comma":
                case "space":
                  break;
                case "comment":
                  prevItemComment = st.source.substring(1);
                  break loop;
                default:
                  break loop;
              }
            }
            if (prevItemComment) {
              let prev = coll.items[coll.items.length - 1];
              if (identity.isPair(prev))
                prev = prev.value ?? prev.key;
              if (prev.comment)
                prev.comment += "\n" + prevItemComment;
              else
                prev.comment = prevItemComment;
              props.comment = props.comment.substring(prevItemComment.length + 1);
            }
          }
        }
        if (!isMap && !sep && !props.found) {
          const valueNode = value ? composeNode(ctx, value, props, onError) : composeEmptyNode(ctx, props.end, sep, null, props, onError);
          coll.items.push(valueNode);
          offset = valueNode.range[2];
          if (isBlock(value))
            onError(valueNode.range, "BLOCK_IN_FLOW", blockMsg);
        } else {
          ctx.atKey = true;
          const keyStart = props.end;
          const keyNode = key ? composeNode(ctx, key, props, onError) : composeEmptyNode(ctx, keyStart, start, null, props, onError);
          if (isBlock(key))
            onError(keyNode.range, "BLOCK_IN_FLOW", blockMsg);
          ctx.atKey = false;
          const valueProps = resolveProps.resolveProps(sep ?? [], {
            flow: fcName,
            indicator: "map-value-ind",
            next: value,
            offset: keyNode.range[2],
            onError,
            parentIndent: fc.indent,
            startOnNewline: false
          });
          if (valueProps.found) {
            if (!isMap && !props.found && ctx.options.strict) {
              if (sep)
                for (const st of sep) {
                  if (st === valueProps.found)
                    break;
                  if (st.type === "newline") {
                    onError(st, "MULTILINE_IMPLICIT_KEY", "Implicit keys of flow sequence pairs need to be on a single line");
                    break;
                  }
                }
              if (props.start < valueProps.found.offset - 1024)
                onError(valueProps.found, "KEY_OVER_1024_CHARS", "The : indicator must be at most 1024 chars after the start of an implicit flow sequence key");
            }
          } else if (value) {
            if ("source" in value && value.source?.[0] === ":")
              onError(value, "MISSING_CHAR", `Missing space after : in ${fcName}`);
            else
              onError(valueProps.start, "MISSING_CHAR", `Missing , or : between ${fcName} items`);
          }
          const valueNode = value ? composeNode(ctx, value, valueProps, onError) : valueProps.found ? composeEmptyNode(ctx, valueProps.end, sep, null, valueProps, onError) : null;
          if (valueNode) {
            if (isBlock(value))
              onError(valueNode.range, "BLOCK_IN_FLOW", blockMsg);
          } else if (valueProps.comment) {
            if (keyNode.comment)
              keyNode.comment += "\n" + valueProps.comment;
            else
              keyNode.comment = valueProps.comment;
          }
          const pair = new Pair.Pair(keyNode, valueNode);
          if (ctx.options.keepSourceTokens)
            pair.srcToken = collItem;
          if (isMap) {
            const map = coll;
            if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
              onError(keyStart, "DUPLICATE_KEY", "Map keys must be unique");
            map.items.push(pair);
          } else {
            const map = new YAMLMap.YAMLMap(ctx.schema);
            map.flow = true;
            map.items.push(pair);
            const endRange = (valueNode ?? keyNode).range;
            map.range = [keyNode.range[0], endRange[1], endRange[2]];
            coll.items.push(map);
          }
          offset = valueNode ? valueNode.range[2] : valueProps.end;
        }
      }
      const expectedEnd = isMap ? "}" : "]";
      const [ce, ...ee] = fc.end;
      let cePos = offset;
      if (ce?.source === expectedEnd)
        cePos = ce.offset + ce.source.length;
      else {
        const name = fcName[0].toUpperCase() + fcName.substring(1);
        const msg = atRoot ? `${name} must end with a ${expectedEnd}` : `${name} in block collection must be sufficiently indented and end with a ${expectedEnd}`;
        onError(offset, atRoot ? "MISSING_CHAR" : "BAD_INDENT", msg);
        if (ce && ce.source.length !== 1)
          ee.unshift(ce);
      }
      if (ee.length > 0) {
        const end = resolveEnd.resolveEnd(ee, cePos, ctx.options.strict, onError);
        if (end.comment) {
          if (coll.comment)
            coll.comment += "\n" + end.comment;
          else
            coll.comment = end.comment;
        }
        coll.range = [fc.offset, cePos, end.offset];
      } else {
        coll.range = [fc.offset, cePos, cePos];
      }
      return coll;
    }
    exports.resolveFlowCollection = resolveFlowCollection;
  }
});

// node_modules/yaml/dist/compose/compose-collection.js
var require_compose_collection = __commonJS({
  "node_modules/yaml/dist/compose/compose-collection.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Scalar = require_Scalar();
    var YAMLMap = require_YAMLMap();
    var YAMLSeq = require_YAMLSeq();
    var resolveBlockMap = require_resolve_block_map();
    var resolveBlockSeq = require_resolve_block_seq();
    var resolveFlowCollection = require_resolve_flow_collection();
    function resolveCollection(CN, ctx, token, onError, tagName, tag) {
      const coll = token.type === "block-map" ? resolveBlockMap.resolveBlockMap(CN, ctx, token, onError, tag) : token.type === "block-seq" ? resolveBlockSeq.resolveBlockSeq(CN, ctx, token, onError, tag) : resolveFlowCollection.resolveFlowCollection(CN, ctx, token, onError, tag);
      const Coll = coll.constructor;
      if (tagName === "!" || tagName === Coll.tagName) {
        coll.tag = Coll.tagName;
        return coll;
      }
      if (tagName)
        coll.tag = tagName;
      return coll;
    }
    function composeCollection(CN, ctx, token, props, onError) {
      const tagToken = props.tag;
      const tagName = !tagToken ? null : ctx.directives.tagName(tagToken.source, (msg) => onError(tagToken, "TAG_RESOLVE_FAILED", msg));
      if (token.type === "block-seq") {
        const { anchor, newlineAfterProp: nl2 } = props;
        const lastProp = anchor && tagToken ? anchor.offset > tagToken.offset ? anchor : tagToken : anchor ?? tagToken;
        if (lastProp && (!nl2 || nl2.offset < lastProp.offset)) {
          const message = "Missing newline after block sequence props";
          onError(lastProp, "MISSING_CHAR", message);
        }
      }
      const expType = token.type === "block-map" ? "map" : token.type === "block-seq" ? "seq" : token.start.source === "{" ? "map" : "seq";
      if (!tagToken || !tagName || tagName === "!" || tagName === YAMLMap.YAMLMap.tagName && expType === "map" || tagName === YAMLSeq.YAMLSeq.tagName && expType === "seq") {
        return resolveCollection(CN, ctx, token, onError, tagName);
      }
      let tag = ctx.schema.tags.find((t) => t.tag === tagName && t.collection === expType);
      if (!tag) {
        const kt = ctx.schema.knownTags[tagName];
        if (kt?.collection === expType) {
          ctx.schema.tags.push(Object.assign({}, kt, { default: false }));
          tag = kt;
        } else {
          if (kt) {
            onError(tagToken, "BAD_COLLECTION_TYPE", `${kt.tag} used for ${expType} collection, but expects ${kt.collection ?? "scalar"}`, true);
          } else {
            onError(tagToken, "TAG_RESOLVE_FAILED", `Unresolved tag: ${tagName}`, true);
          }
          return resolveCollection(CN, ctx, token, onError, tagName);
        }
      }
      const coll = resolveCollection(CN, ctx, token, onError, tagName, tag);
      const res = tag.resolve?.(coll, (msg) => onError(tagToken, "TAG_RESOLVE_FAILED", msg), ctx.options) ?? coll;
      const node = identity.isNode(res) ? res : new Scalar.Scalar(res);
      node.range = coll.range;
      node.tag = tagName;
      if (tag?.format)
        node.format = tag.format;
      return node;
    }
    exports.composeCollection = composeCollection;
  }
});

// node_modules/yaml/dist/compose/resolve-block-scalar.js
var require_resolve_block_scalar = __commonJS({
  "node_modules/yaml/dist/compose/resolve-block-scalar.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    function resolveBlockScalar(ctx, scalar, onError) {
      const start = scalar.offset;
      const header = parseBlockScalarHeader(scalar, ctx.options.strict, onError);
      if (!header)
        return { value: "", type: null, comment: "", range: [start, start, start] };
      const type = header.mode === ">" ? Scalar.Scalar.BLOCK_FOLDED : Scalar.Scalar.BLOCK_LITERAL;
      const lines = scalar.source ? splitLines(scalar.source) : [];
      let chompStart = lines.length;
      for (let i = lines.length - 1; i >= 0; --i) {
        const content = lines[i][1];
        if (content === "" || content === "\r")
          chompStart = i;
        else
          break;
      }
      if (chompStart === 0) {
        const value2 = header.chomp === "+" && lines.length > 0 ? "\n".repeat(Math.max(1, lines.length - 1)) : "";
        let end2 = start + header.length;
        if (scalar.source)
          end2 += scalar.source.length;
        return { value: value2, type, comment: header.comment, range: [start, end2, end2] };
      }
      let trimIndent = scalar.indent + header.indent;
      let offset = scalar.offset + header.length;
      let contentStart = 0;
      for (let i = 0; i < chompStart; ++i) {
        const [indent2, content] = lines[i];
        if (content === "" || content === "\r") {
          if (header.indent === 0 && indent2.length > trimIndent)
            trimIndent = indent2.length;
        } else {
          if (indent2.length < trimIndent) {
            const message = "Block scalars with more-indented leading empty lines must use an explicit indentation indicator";
            onError(offset + indent2.length, "MISSING_CHAR", message);
          }
          if (header.indent === 0)
            trimIndent = indent2.length;
          contentStart = i;
          if (trimIndent === 0 && !ctx.atRoot) {
            const message = "Block scalar values in collections must be indented";
            onError(offset, "BAD_INDENT", message);
          }
          break;
        }
        offset += indent2.length + content.length + 1;
      }
      for (let i = lines.length - 1; i >= chompStart; --i) {
        if (lines[i][0].length > trimIndent)
          chompStart = i + 1;
      }
      let value = "";
      let sep = "";
      let prevMoreIndented = false;
      for (let i = 0; i < contentStart; ++i)
        value += lines[i][0].slice(trimIndent) + "\n";
      for (let i = contentStart; i < chompStart; ++i) {
        let [indent2, content] = lines[i];
        offset += indent2.length + content.length + 1;
        const crlf = content[content.length - 1] === "\r";
        if (crlf)
          content = content.slice(0, -1);
        if (content && indent2.length < trimIndent) {
          const src = header.indent ? "explicit indentation indicator" : "first line";
          const message = `Block scalar lines must not be less indented than their ${src}`;
          onError(offset - content.length - (crlf ? 2 : 1), "BAD_INDENT", message);
          indent2 = "";
        }
        if (type === Scalar.Scalar.BLOCK_LITERAL) {
          value += sep + indent2.slice(trimIndent) + content;
          sep = "\n";
        } else if (indent2.length > trimIndent || content[0] === "	") {
          if (sep === " ")
            sep = "\n";
          else if (!prevMoreIndented && sep === "\n")
            sep = "\n\n";
          value += sep + indent2.slice(trimIndent) + content;
          sep = "\n";
          prevMoreIndented = true;
        } else if (content === "") {
          if (sep === "\n")
            value += "\n";
          else
            sep = "\n";
        } else {
          value += sep + content;
          sep = " ";
          prevMoreIndented = false;
        }
      }
      switch (header.chomp) {
        case "-":
          break;
        case "+":
          for (let i = chompStart; i < lines.length; ++i)
            value += "\n" + lines[i][0].slice(trimIndent);
          if (value[value.length - 1] !== "\n")
            value += "\n";
          break;
        default:
          value += "\n";
      }
      const end = start + header.length + scalar.source.length;
      return { value, type, comment: header.comment, range: [start, end, end] };
    }
    function parseBlockScalarHeader({ offset, props }, strict, onError) {
      if (props[0].type !== "block-scalar-header") {
        onError(props[0], "IMPOSSIBLE", "Block scalar header not found");
        return null;
      }
      const { source } = props[0];
      const mode = source[0];
      let indent2 = 0;
      let chomp = "";
      let error = -1;
      for (let i = 1; i < source.length; ++i) {
        const ch = source[i];
        if (!chomp && (ch === "-" || ch === "+"))
          chomp = ch;
        else {
          const n = Number(ch);
          if (!indent2 && n)
            indent2 = n;
          else if (error === -1)
            error = offset + i;
        }
      }
      if (error !== -1)
        onError(error, "UNEXPECTED_TOKEN", `Block scalar header includes extra characters: ${source}`);
      let hasSpace = false;
      let comment = "";
      let length = source.length;
      for (let i = 1; i < props.length; ++i) {
        const token = props[i];
        switch (token.type) {
          case "space":
            hasSpace = true;
          // fallthrough
          case "newline":
            length += token.source.length;
            break;
          case "comment":
            if (strict && !hasSpace) {
              const message = "Comments must be separated from other tokens by white space characters";
              onError(token, "MISSING_CHAR", message);
            }
            length += token.source.length;
            comment = token.source.substring(1);
            break;
          case "error":
            onError(token, "UNEXPECTED_TOKEN", token.message);
            length += token.source.length;
            break;
          /* istanbul ignore next should not happen */
          default: {
            const message = `Unexpected token in block scalar header: ${token.type}`;
            onError(token, "UNEXPECTED_TOKEN", message);
            const ts = token.source;
            if (ts && typeof ts === "string")
              length += ts.length;
          }
        }
      }
      return { mode, indent: indent2, chomp, comment, length };
    }
    function splitLines(source) {
      const split = source.split(/\n( *)/);
      const first = split[0];
      const m = first.match(/^( *)/);
      const line0 = m?.[1] ? [m[1], first.slice(m[1].length)] : ["", first];
      const lines = [line0];
      for (let i = 1; i < split.length; i += 2)
        lines.push([split[i], split[i + 1]]);
      return lines;
    }
    exports.resolveBlockScalar = resolveBlockScalar;
  }
});

// node_modules/yaml/dist/compose/resolve-flow-scalar.js
var require_resolve_flow_scalar = __commonJS({
  "node_modules/yaml/dist/compose/resolve-flow-scalar.js"(exports) {
    "use strict";
    var Scalar = require_Scalar();
    var resolveEnd = require_resolve_end();
    function resolveFlowScalar(scalar, strict, onError) {
      const { offset, type, source, end } = scalar;
      let _type;
      let value;
      const _onError = (rel, code, msg) => onError(offset + rel, code, msg);
      switch (type) {
        case "scalar":
          _type = Scalar.Scalar.PLAIN;
          value = plainValue(source, _onError);
          break;
        case "single-quoted-scalar":
          _type = Scalar.Scalar.QUOTE_SINGLE;
          value = singleQuotedValue(source, _onError);
          break;
        case "double-quoted-scalar":
          _type = Scalar.Scalar.QUOTE_DOUBLE;
          value = doubleQuotedValue(source, _onError);
          break;
        /* istanbul ignore next should not happen */
        default:
          onError(scalar, "UNEXPECTED_TOKEN", `Expected a flow scalar value, but found: ${type}`);
          return {
            value: "",
            type: null,
            comment: "",
            range: [offset, offset + source.length, offset + source.length]
          };
      }
      const valueEnd = offset + source.length;
      const re = resolveEnd.resolveEnd(end, valueEnd, strict, onError);
      return {
        value,
        type: _type,
        comment: re.comment,
        range: [offset, valueEnd, re.offset]
      };
    }
    function plainValue(source, onError) {
      let badChar = "";
      switch (source[0]) {
        /* istanbul ignore next should not happen */
        case "	":
          badChar = "a tab character";
          break;
        case ",":
          badChar = "flow indicator character ,";
          break;
        case "%":
          badChar = "directive indicator character %";
          break;
        case "|":
        case ">": {
          badChar = `block scalar indicator ${source[0]}`;
          break;
        }
        case "@":
        case "`": {
          badChar = `reserved character ${source[0]}`;
          break;
        }
      }
      if (badChar)
        onError(0, "BAD_SCALAR_START", `Plain value cannot start with ${badChar}`);
      return unfoldLines(source);
    }
    function singleQuotedValue(source, onError) {
      if (source[source.length - 1] !== "'" || source.length === 1)
        onError(source.length, "MISSING_CHAR", "Missing closing 'quote");
      return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
    }
    function unfoldLines(source) {
      const line = /(.*?)\r?\n/sy;
      let match = line.exec(source);
      if (!match)
        return source;
      let trimEnd, trimBoth;
      try {
        trimEnd = new RegExp("(?<![ 	])[ 	]+$");
        trimBoth = new RegExp("^[ 	]+|(?<![ 	])[ 	]+$", "g");
      } catch {
        trimEnd = /[ \t]+$/;
        trimBoth = /^[ \t]+|[ \t]+$/g;
      }
      let res = match[1].replace(trimEnd, "");
      let sep = " ";
      let pos = line.lastIndex;
      while (match = line.exec(source)) {
        const lm = match[1].replace(trimBoth, "");
        if (lm === "") {
          if (sep === "\n")
            res += sep;
          else
            sep = "\n";
        } else {
          res += sep + lm;
          sep = " ";
        }
        pos = line.lastIndex;
      }
      const last = /[ \t]*(.*)/sy;
      last.lastIndex = pos;
      match = last.exec(source);
      return res + sep + (match?.[1] ?? "");
    }
    function doubleQuotedValue(source, onError) {
      let res = "";
      for (let i = 1; i < source.length - 1; ++i) {
        const ch = source[i];
        if (ch === "\r" && source[i + 1] === "\n")
          continue;
        if (ch === "\n") {
          const { fold, offset } = foldNewline(source, i);
          res += fold;
          i = offset;
        } else if (ch === "\\") {
          let next = source[++i];
          const cc = escapeCodes[next];
          if (cc)
            res += cc;
          else if (next === "\n") {
            next = source[i + 1];
            while (next === " " || next === "	")
              next = source[++i + 1];
          } else if (next === "\r" && source[i + 1] === "\n") {
            next = source[++i + 1];
            while (next === " " || next === "	")
              next = source[++i + 1];
          } else if (next === "x" || next === "u" || next === "U") {
            const length = next === "x" ? 2 : next === "u" ? 4 : 8;
            res += parseCharCode(source, i + 1, length, onError);
            i += length;
          } else {
            const raw = source.substr(i - 1, 2);
            onError(i - 1, "BAD_DQ_ESCAPE", `Invalid escape sequence ${raw}`);
            res += raw;
          }
        } else if (ch === " " || ch === "	") {
          const wsStart = i;
          let next = source[i + 1];
          while (next === " " || next === "	")
            next = source[++i + 1];
          if (next !== "\n" && !(next === "\r" && source[i + 2] === "\n"))
            res += i > wsStart ? source.slice(wsStart, i + 1) : ch;
        } else {
          res += ch;
        }
      }
      if (source[source.length - 1] !== '"' || source.length === 1)
        onError(source.length, "MISSING_CHAR", 'Missing closing "quote');
      return res;
    }
    function foldNewline(source, offset) {
      let fold = "";
      let ch = source[offset + 1];
      while (ch === " " || ch === "	" || ch === "\n" || ch === "\r") {
        if (ch === "\r" && source[offset + 2] !== "\n")
          break;
        if (ch === "\n")
          fold += "\n";
        offset += 1;
        ch = source[offset + 1];
      }
      if (!fold)
        fold = " ";
      return { fold, offset };
    }
    var escapeCodes = {
      "0": "\0",
      // null character
      a: "\x07",
      // bell character
      b: "\b",
      // backspace
      e: "\x1B",
      // escape character
      f: "\f",
      // form feed
      n: "\n",
      // line feed
      r: "\r",
      // carriage return
      t: "	",
      // horizontal tab
      v: "\v",
      // vertical tab
      N: "\x85",
      // Unicode next line
      _: "\xA0",
      // Unicode non-breaking space
      L: "\u2028",
      // Unicode line separator
      P: "\u2029",
      // Unicode paragraph separator
      " ": " ",
      '"': '"',
      "/": "/",
      "\\": "\\",
      "	": "	"
    };
    function parseCharCode(source, offset, length, onError) {
      const cc = source.substr(offset, length);
      const ok = cc.length === length && /^[0-9a-fA-F]+$/.test(cc);
      const code = ok ? parseInt(cc, 16) : NaN;
      try {
        return String.fromCodePoint(code);
      } catch {
        const raw = source.substr(offset - 2, length + 2);
        onError(offset - 2, "BAD_DQ_ESCAPE", `Invalid escape sequence ${raw}`);
        return raw;
      }
    }
    exports.resolveFlowScalar = resolveFlowScalar;
  }
});

// node_modules/yaml/dist/compose/compose-scalar.js
var require_compose_scalar = __commonJS({
  "node_modules/yaml/dist/compose/compose-scalar.js"(exports) {
    "use strict";
    var identity = require_identity();
    var Scalar = require_Scalar();
    var resolveBlockScalar = require_resolve_block_scalar();
    var resolveFlowScalar = require_resolve_flow_scalar();
    function composeScalar(ctx, token, tagToken, onError) {
      const { value, type, comment, range } = token.type === "block-scalar" ? resolveBlockScalar.resolveBlockScalar(ctx, token, onError) : resolveFlowScalar.resolveFlowScalar(token, ctx.options.strict, onError);
      const tagName = tagToken ? ctx.directives.tagName(tagToken.source, (msg) => onError(tagToken, "TAG_RESOLVE_FAILED", msg)) : null;
      let tag;
      if (ctx.options.stringKeys && ctx.atKey) {
        tag = ctx.schema[identity.SCALAR];
      } else if (tagName)
        tag = findScalarTagByName(ctx.schema, value, tagName, tagToken, onError);
      else if (token.type === "scalar")
        tag = findScalarTagByTest(ctx, value, token, onError);
      else
        tag = ctx.schema[identity.SCALAR];
      let scalar;
      try {
        const res = tag.resolve(value, (msg) => onError(tagToken ?? token, "TAG_RESOLVE_FAILED", msg), ctx.options);
        scalar = identity.isScalar(res) ? res : new Scalar.Scalar(res);
      } catch (error) {
        const msg = error instanceof Error ? error.message : String(error);
        onError(tagToken ?? token, "TAG_RESOLVE_FAILED", msg);
        scalar = new Scalar.Scalar(value);
      }
      scalar.range = range;
      scalar.source = value;
      if (type)
        scalar.type = type;
      if (tagName)
        scalar.tag = tagName;
      if (tag.format)
        scalar.format = tag.format;
      if (comment)
        scalar.comment = comment;
      return scalar;
    }
    function findScalarTagByName(schema, value, tagName, tagToken, onError) {
      if (tagName === "!")
        return schema[identity.SCALAR];
      const matchWithTest = [];
      for (const tag of schema.tags) {
        if (!tag.collection && tag.tag === tagName) {
          if (tag.default && tag.test)
            matchWithTest.push(tag);
          else
            return tag;
        }
      }
      for (const tag of matchWithTest)
        if (tag.test?.test(value))
          return tag;
      const kt = schema.knownTags[tagName];
      if (kt && !kt.collection) {
        schema.tags.push(Object.assign({}, kt, { default: false, test: void 0 }));
        return kt;
      }
      onError(tagToken, "TAG_RESOLVE_FAILED", `Unresolved tag: ${tagName}`, tagName !== "tag:yaml.org,2002:str");
      return schema[identity.SCALAR];
    }
    function findScalarTagByTest({ atKey, directives, schema }, value, token, onError) {
      const tag = schema.tags.find((tag2) => (tag2.default === true || atKey && tag2.default === "key") && tag2.test?.test(value)) || schema[identity.SCALAR];
      if (schema.compat) {
        const compat = schema.compat.find((tag2) => tag2.default && tag2.test?.test(value)) ?? schema[identity.SCALAR];
        if (tag.tag !== compat.tag) {
          const ts = directives.tagString(tag.tag);
          const cs = directives.tagString(compat.tag);
          const msg = `Value may be parsed as either ${ts} or ${cs}`;
          onError(token, "TAG_RESOLVE_FAILED", msg, true);
        }
      }
      return tag;
    }
    exports.composeScalar = composeScalar;
  }
});

// node_modules/yaml/dist/compose/util-empty-scalar-position.js
var require_util_empty_scalar_position = __commonJS({
  "node_modules/yaml/dist/compose/util-empty-scalar-position.js"(exports) {
    "use strict";
    function emptyScalarPosition(offset, before, pos) {
      if (before) {
        pos ?? (pos = before.length);
        for (let i = pos - 1; i >= 0; --i) {
          let st = before[i];
          switch (st.type) {
            case "space":
            case "comment":
            case "newline":
              offset -= st.source.length;
              continue;
          }
          st = before[++i];
          while (st?.type === "space") {
            offset += st.source.length;
            st = before[++i];
          }
          break;
        }
      }
      return offset;
    }
    exports.emptyScalarPosition = emptyScalarPosition;
  }
});

// node_modules/yaml/dist/compose/compose-node.js
var require_compose_node = __commonJS({
  "node_modules/yaml/dist/compose/compose-node.js"(exports) {
    "use strict";
    var Alias = require_Alias();
    var identity = require_identity();
    var composeCollection = require_compose_collection();
    var composeScalar = require_compose_scalar();
    var resolveEnd = require_resolve_end();
    var utilEmptyScalarPosition = require_util_empty_scalar_position();
    var CN = { composeNode, composeEmptyNode };
    function composeNode(ctx, token, props, onError) {
      const atKey = ctx.atKey;
      const { spaceBefore, comment, anchor, tag } = props;
      let node;
      let isSrcToken = true;
      switch (token.type) {
        case "alias":
          node = composeAlias(ctx, token, onError);
          if (anchor || tag)
            onError(token, "ALIAS_PROPS", "An alias node must not specify any properties");
          break;
        case "scalar":
        case "single-quoted-scalar":
        case "double-quoted-scalar":
        case "block-scalar":
          node = composeScalar.composeScalar(ctx, token, tag, onError);
          if (anchor)
            node.anchor = anchor.source.substring(1);
          break;
        case "block-map":
        case "block-seq":
        case "flow-collection":
          try {
            node = composeCollection.composeCollection(CN, ctx, token, props, onError);
            if (anchor)
              node.anchor = anchor.source.substring(1);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            onError(token, "RESOURCE_EXHAUSTION", message);
          }
          break;
        default: {
          const message = token.type === "error" ? token.message : `Unsupported token (type: ${token.type})`;
          onError(token, "UNEXPECTED_TOKEN", message);
          isSrcToken = false;
        }
      }
      node ?? (node = composeEmptyNode(ctx, token.offset, void 0, null, props, onError));
      if (anchor && node.anchor === "")
        onError(anchor, "BAD_ALIAS", "Anchor cannot be an empty string");
      if (atKey && ctx.options.stringKeys && (!identity.isScalar(node) || typeof node.value !== "string" || node.tag && node.tag !== "tag:yaml.org,2002:str")) {
        const msg = "With stringKeys, all keys must be strings";
        onError(tag ?? token, "NON_STRING_KEY", msg);
      }
      if (spaceBefore)
        node.spaceBefore = true;
      if (comment) {
        if (token.type === "scalar" && token.source === "")
          node.comment = comment;
        else
          node.commentBefore = comment;
      }
      if (ctx.options.keepSourceTokens && isSrcToken)
        node.srcToken = token;
      return node;
    }
    function composeEmptyNode(ctx, offset, before, pos, { spaceBefore, comment, anchor, tag, end }, onError) {
      const token = {
        type: "scalar",
        offset: utilEmptyScalarPosition.emptyScalarPosition(offset, before, pos),
        indent: -1,
        source: ""
      };
      const node = composeScalar.composeScalar(ctx, token, tag, onError);
      if (anchor) {
        node.anchor = anchor.source.substring(1);
        if (node.anchor === "")
          onError(anchor, "BAD_ALIAS", "Anchor cannot be an empty string");
      }
      if (spaceBefore)
        node.spaceBefore = true;
      if (comment) {
        node.comment = comment;
        node.range[2] = end;
      }
      return node;
    }
    function composeAlias({ options }, { offset, source, end }, onError) {
      const alias = new Alias.Alias(source.substring(1));
      if (alias.source === "")
        onError(offset, "BAD_ALIAS", "Alias cannot be an empty string");
      if (alias.source.endsWith(":"))
        onError(offset + source.length - 1, "BAD_ALIAS", "Alias ending in : is ambiguous", true);
      const valueEnd = offset + source.length;
      const re = resolveEnd.resolveEnd(end, valueEnd, options.strict, onError);
      alias.range = [offset, valueEnd, re.offset];
      if (re.comment)
        alias.comment = re.comment;
      return alias;
    }
    exports.composeEmptyNode = composeEmptyNode;
    exports.composeNode = composeNode;
  }
});

// node_modules/yaml/dist/compose/compose-doc.js
var require_compose_doc = __commonJS({
  "node_modules/yaml/dist/compose/compose-doc.js"(exports) {
    "use strict";
    var Document = require_Document();
    var composeNode = require_compose_node();
    var resolveEnd = require_resolve_end();
    var resolveProps = require_resolve_props();
    function composeDoc(options, directives, { offset, start, value, end }, onError) {
      const opts = Object.assign({ _directives: directives }, options);
      const doc = new Document.Document(void 0, opts);
      const ctx = {
        atKey: false,
        atRoot: true,
        directives: doc.directives,
        options: doc.options,
        schema: doc.schema
      };
      const props = resolveProps.resolveProps(start, {
        indicator: "doc-start",
        next: value ?? end?.[0],
        offset,
        onError,
        parentIndent: 0,
        startOnNewline: true
      });
      if (props.found) {
        doc.directives.docStart = true;
        if (value && (value.type === "block-map" || value.type === "block-seq") && !props.hasNewline)
          onError(props.end, "MISSING_CHAR", "Block collection cannot start on same line with directives-end marker");
      }
      doc.contents = value ? composeNode.composeNode(ctx, value, props, onError) : composeNode.composeEmptyNode(ctx, props.end, start, null, props, onError);
      const contentEnd = doc.contents.range[2];
      const re = resolveEnd.resolveEnd(end, contentEnd, false, onError);
      if (re.comment)
        doc.comment = re.comment;
      doc.range = [offset, contentEnd, re.offset];
      return doc;
    }
    exports.composeDoc = composeDoc;
  }
});

// node_modules/yaml/dist/compose/composer.js
var require_composer = __commonJS({
  "node_modules/yaml/dist/compose/composer.js"(exports) {
    "use strict";
    var node_process = __require("process");
    var directives = require_directives();
    var Document = require_Document();
    var errors = require_errors();
    var identity = require_identity();
    var composeDoc = require_compose_doc();
    var resolveEnd = require_resolve_end();
    function getErrorPos(src) {
      if (typeof src === "number")
        return [src, src + 1];
      if (Array.isArray(src))
        return src.length === 2 ? src : [src[0], src[1]];
      const { offset, source } = src;
      return [offset, offset + (typeof source === "string" ? source.length : 1)];
    }
    function parsePrelude(prelude) {
      let comment = "";
      let atComment = false;
      let afterEmptyLine = false;
      for (let i = 0; i < prelude.length; ++i) {
        const source = prelude[i];
        switch (source[0]) {
          case "#":
            comment += (comment === "" ? "" : afterEmptyLine ? "\n\n" : "\n") + (source.substring(1) || " ");
            atComment = true;
            afterEmptyLine = false;
            break;
          case "%":
            if (prelude[i + 1]?.[0] !== "#")
              i += 1;
            atComment = false;
            break;
          default:
            if (!atComment)
              afterEmptyLine = true;
            atComment = false;
        }
      }
      return { comment, afterEmptyLine };
    }
    var Composer = class {
      constructor(options = {}) {
        this.doc = null;
        this.atDirectives = false;
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
        this.onError = (source, code, message, warning) => {
          const pos = getErrorPos(source);
          if (warning)
            this.warnings.push(new errors.YAMLWarning(pos, code, message));
          else
            this.errors.push(new errors.YAMLParseError(pos, code, message));
        };
        this.directives = new directives.Directives({ version: options.version || "1.2" });
        this.options = options;
      }
      decorate(doc, afterDoc) {
        const { comment, afterEmptyLine } = parsePrelude(this.prelude);
        if (comment) {
          const dc = doc.contents;
          if (afterDoc) {
            doc.comment = doc.comment ? `${doc.comment}
${comment}` : comment;
          } else if (afterEmptyLine || doc.directives.docStart || !dc) {
            doc.commentBefore = comment;
          } else if (identity.isCollection(dc) && !dc.flow && dc.items.length > 0) {
            let it = dc.items[0];
            if (identity.isPair(it))
              it = it.key;
            const cb = it.commentBefore;
            it.commentBefore = cb ? `${comment}
${cb}` : comment;
          } else {
            const cb = dc.commentBefore;
            dc.commentBefore = cb ? `${comment}
${cb}` : comment;
          }
        }
        if (afterDoc) {
          for (let i = 0; i < this.errors.length; ++i)
            doc.errors.push(this.errors[i]);
          for (let i = 0; i < this.warnings.length; ++i)
            doc.warnings.push(this.warnings[i]);
        } else {
          doc.errors = this.errors;
          doc.warnings = this.warnings;
        }
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
      }
      /**
       * Current stream status information.
       *
       * Mostly useful at the end of input for an empty stream.
       */
      streamInfo() {
        return {
          comment: parsePrelude(this.prelude).comment,
          directives: this.directives,
          errors: this.errors,
          warnings: this.warnings
        };
      }
      /**
       * Compose tokens into documents.
       *
       * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
       * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
       */
      *compose(tokens, forceDoc = false, endOffset = -1) {
        for (const token of tokens)
          yield* this.next(token);
        yield* this.end(forceDoc, endOffset);
      }
      /** Advance the composer by one CST token. */
      *next(token) {
        if (node_process.env.LOG_STREAM)
          console.dir(token, { depth: null });
        switch (token.type) {
          case "directive":
            this.directives.add(token.source, (offset, message, warning) => {
              const pos = getErrorPos(token);
              pos[0] += offset;
              this.onError(pos, "BAD_DIRECTIVE", message, warning);
            });
            this.prelude.push(token.source);
            this.atDirectives = true;
            break;
          case "document": {
            const doc = composeDoc.composeDoc(this.options, this.directives, token, this.onError);
            if (this.atDirectives && !doc.directives.docStart)
              this.onError(token, "MISSING_CHAR", "Missing directives-end/doc-start indicator line");
            this.decorate(doc, false);
            if (this.doc)
              yield this.doc;
            this.doc = doc;
            this.atDirectives = false;
            break;
          }
          case "byte-order-mark":
          case "space":
            break;
          case "comment":
          case "newline":
            this.prelude.push(token.source);
            break;
          case "error": {
            const msg = token.source ? `${token.message}: ${JSON.stringify(token.source)}` : token.message;
            const error = new errors.YAMLParseError(getErrorPos(token), "UNEXPECTED_TOKEN", msg);
            if (this.atDirectives || !this.doc)
              this.errors.push(error);
            else
              this.doc.errors.push(error);
            break;
          }
          case "doc-end": {
            if (!this.doc) {
              const msg = "Unexpected doc-end without preceding document";
              this.errors.push(new errors.YAMLParseError(getErrorPos(token), "UNEXPECTED_TOKEN", msg));
              break;
            }
            this.doc.directives.docEnd = true;
            const end = resolveEnd.resolveEnd(token.end, token.offset + token.source.length, this.doc.options.strict, this.onError);
            this.decorate(this.doc, true);
            if (end.comment) {
              const dc = this.doc.comment;
              this.doc.comment = dc ? `${dc}
${end.comment}` : end.comment;
            }
            this.doc.range[2] = end.offset;
            break;
          }
          default:
            this.errors.push(new errors.YAMLParseError(getErrorPos(token), "UNEXPECTED_TOKEN", `Unsupported token ${token.type}`));
        }
      }
      /**
       * Call at end of input to yield any remaining document.
       *
       * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
       * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
       */
      *end(forceDoc = false, endOffset = -1) {
        if (this.doc) {
          this.decorate(this.doc, true);
          yield this.doc;
          this.doc = null;
        } else if (forceDoc) {
          const opts = Object.assign({ _directives: this.directives }, this.options);
          const doc = new Document.Document(void 0, opts);
          if (this.atDirectives)
            this.onError(endOffset, "MISSING_CHAR", "Missing directives-end indicator line");
          doc.range = [0, endOffset, endOffset];
          this.decorate(doc, false);
          yield doc;
        }
      }
    };
    exports.Composer = Composer;
  }
});

// node_modules/yaml/dist/parse/cst-scalar.js
var require_cst_scalar = __commonJS({
  "node_modules/yaml/dist/parse/cst-scalar.js"(exports) {
    "use strict";
    var resolveBlockScalar = require_resolve_block_scalar();
    var resolveFlowScalar = require_resolve_flow_scalar();
    var errors = require_errors();
    var stringifyString = require_stringifyString();
    function resolveAsScalar(token, strict = true, onError) {
      if (token) {
        const _onError = (pos, code, message) => {
          const offset = typeof pos === "number" ? pos : Array.isArray(pos) ? pos[0] : pos.offset;
          if (onError)
            onError(offset, code, message);
          else
            throw new errors.YAMLParseError([offset, offset + 1], code, message);
        };
        switch (token.type) {
          case "scalar":
          case "single-quoted-scalar":
          case "double-quoted-scalar":
            return resolveFlowScalar.resolveFlowScalar(token, strict, _onError);
          case "block-scalar":
            return resolveBlockScalar.resolveBlockScalar({ options: { strict } }, token, _onError);
        }
      }
      return null;
    }
    function createScalarToken(value, context) {
      const { implicitKey = false, indent: indent2, inFlow = false, offset = -1, type = "PLAIN" } = context;
      const source = stringifyString.stringifyString({ type, value }, {
        implicitKey,
        indent: indent2 > 0 ? " ".repeat(indent2) : "",
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
      });
      const end = context.end ?? [
        { type: "newline", offset: -1, indent: indent2, source: "\n" }
      ];
      switch (source[0]) {
        case "|":
        case ">": {
          const he = source.indexOf("\n");
          const head = source.substring(0, he);
          const body = source.substring(he + 1) + "\n";
          const props = [
            { type: "block-scalar-header", offset, indent: indent2, source: head }
          ];
          if (!addEndtoBlockProps(props, end))
            props.push({ type: "newline", offset: -1, indent: indent2, source: "\n" });
          return { type: "block-scalar", offset, indent: indent2, props, source: body };
        }
        case '"':
          return { type: "double-quoted-scalar", offset, indent: indent2, source, end };
        case "'":
          return { type: "single-quoted-scalar", offset, indent: indent2, source, end };
        default:
          return { type: "scalar", offset, indent: indent2, source, end };
      }
    }
    function setScalarValue(token, value, context = {}) {
      let { afterKey = false, implicitKey = false, inFlow = false, type } = context;
      let indent2 = "indent" in token ? token.indent : null;
      if (afterKey && typeof indent2 === "number")
        indent2 += 2;
      if (!type)
        switch (token.type) {
          case "single-quoted-scalar":
            type = "QUOTE_SINGLE";
            break;
          case "double-quoted-scalar":
            type = "QUOTE_DOUBLE";
            break;
          case "block-scalar": {
            const header = token.props[0];
            if (header.type !== "block-scalar-header")
              throw new Error("Invalid block scalar header");
            type = header.source[0] === ">" ? "BLOCK_FOLDED" : "BLOCK_LITERAL";
            break;
          }
          default:
            type = "PLAIN";
        }
      const source = stringifyString.stringifyString({ type, value }, {
        implicitKey: implicitKey || indent2 === null,
        indent: indent2 !== null && indent2 > 0 ? " ".repeat(indent2) : "",
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
      });
      switch (source[0]) {
        case "|":
        case ">":
          setBlockScalarValue(token, source);
          break;
        case '"':
          setFlowScalarValue(token, source, "double-quoted-scalar");
          break;
        case "'":
          setFlowScalarValue(token, source, "single-quoted-scalar");
          break;
        default:
          setFlowScalarValue(token, source, "scalar");
      }
    }
    function setBlockScalarValue(token, source) {
      const he = source.indexOf("\n");
      const head = source.substring(0, he);
      const body = source.substring(he + 1) + "\n";
      if (token.type === "block-scalar") {
        const header = token.props[0];
        if (header.type !== "block-scalar-header")
          throw new Error("Invalid block scalar header");
        header.source = head;
        token.source = body;
      } else {
        const { offset } = token;
        const indent2 = "indent" in token ? token.indent : -1;
        const props = [
          { type: "block-scalar-header", offset, indent: indent2, source: head }
        ];
        if (!addEndtoBlockProps(props, "end" in token ? token.end : void 0))
          props.push({ type: "newline", offset: -1, indent: indent2, source: "\n" });
        for (const key of Object.keys(token))
          if (key !== "type" && key !== "offset")
            delete token[key];
        Object.assign(token, { type: "block-scalar", indent: indent2, props, source: body });
      }
    }
    function addEndtoBlockProps(props, end) {
      if (end)
        for (const st of end)
          switch (st.type) {
            case "space":
            case "comment":
              props.push(st);
              break;
            case "newline":
              props.push(st);
              return true;
          }
      return false;
    }
    function setFlowScalarValue(token, source, type) {
      switch (token.type) {
        case "scalar":
        case "double-quoted-scalar":
        case "single-quoted-scalar":
          token.type = type;
          token.source = source;
          break;
        case "block-scalar": {
          const end = token.props.slice(1);
          let oa = source.length;
          if (token.props[0].type === "block-scalar-header")
            oa -= token.props[0].source.length;
          for (const tok of end)
            tok.offset += oa;
          delete token.props;
          Object.assign(token, { type, source, end });
          break;
        }
        case "block-map":
        case "block-seq": {
          const offset = token.offset + source.length;
          const nl2 = { type: "newline", offset, indent: token.indent, source: "\n" };
          delete token.items;
          Object.assign(token, { type, source, end: [nl2] });
          break;
        }
        default: {
          const indent2 = "indent" in token ? token.indent : -1;
          const end = "end" in token && Array.isArray(token.end) ? token.end.filter((st) => st.type === "space" || st.type === "comment" || st.type === "newline") : [];
          for (const key of Object.keys(token))
            if (key !== "type" && key !== "offset")
              delete token[key];
          Object.assign(token, { type, indent: indent2, source, end });
        }
      }
    }
    exports.createScalarToken = createScalarToken;
    exports.resolveAsScalar = resolveAsScalar;
    exports.setScalarValue = setScalarValue;
  }
});

// node_modules/yaml/dist/parse/cst-stringify.js
var require_cst_stringify = __commonJS({
  "node_modules/yaml/dist/parse/cst-stringify.js"(exports) {
    "use strict";
    var stringify2 = (cst) => "type" in cst ? stringifyToken(cst) : stringifyItem(cst);
    function stringifyToken(token) {
      switch (token.type) {
        case "block-scalar": {
          let res = "";
          for (const tok of token.props)
            res += stringifyToken(tok);
          return res + token.source;
        }
        case "block-map":
        case "block-seq": {
          let res = "";
          for (const item of token.items)
            res += stringifyItem(item);
          return res;
        }
        case "flow-collection": {
          let res = token.start.source;
          for (const item of token.items)
            res += stringifyItem(item);
          for (const st of token.end)
            res += st.source;
          return res;
        }
        case "document": {
          let res = stringifyItem(token);
          if (token.end)
            for (const st of token.end)
              res += st.source;
          return res;
        }
        default: {
          let res = token.source;
          if ("end" in token && token.end)
            for (const st of token.end)
              res += st.source;
          return res;
        }
      }
    }
    function stringifyItem({ start, key, sep, value }) {
      let res = "";
      for (const st of start)
        res += st.source;
      if (key)
        res += stringifyToken(key);
      if (sep)
        for (const st of sep)
          res += st.source;
      if (value)
        res += stringifyToken(value);
      return res;
    }
    exports.stringify = stringify2;
  }
});

// node_modules/yaml/dist/parse/cst-visit.js
var require_cst_visit = __commonJS({
  "node_modules/yaml/dist/parse/cst-visit.js"(exports) {
    "use strict";
    var BREAK = /* @__PURE__ */ Symbol("break visit");
    var SKIP = /* @__PURE__ */ Symbol("skip children");
    var REMOVE = /* @__PURE__ */ Symbol("remove item");
    function visit(cst, visitor) {
      if ("type" in cst && cst.type === "document")
        cst = { start: cst.start, value: cst.value };
      _visit(Object.freeze([]), cst, visitor);
    }
    visit.BREAK = BREAK;
    visit.SKIP = SKIP;
    visit.REMOVE = REMOVE;
    visit.itemAtPath = (cst, path6) => {
      let item = cst;
      for (const [field, index] of path6) {
        const tok = item?.[field];
        if (tok && "items" in tok) {
          item = tok.items[index];
        } else
          return void 0;
      }
      return item;
    };
    visit.parentCollection = (cst, path6) => {
      const parent = visit.itemAtPath(cst, path6.slice(0, -1));
      const field = path6[path6.length - 1][0];
      const coll = parent?.[field];
      if (coll && "items" in coll)
        return coll;
      throw new Error("Parent collection not found");
    };
    function _visit(path6, item, visitor) {
      let ctrl = visitor(item, path6);
      if (typeof ctrl === "symbol")
        return ctrl;
      for (const field of ["key", "value"]) {
        const token = item[field];
        if (token && "items" in token) {
          for (let i = 0; i < token.items.length; ++i) {
            const ci = _visit(Object.freeze(path6.concat([[field, i]])), token.items[i], visitor);
            if (typeof ci === "number")
              i = ci - 1;
            else if (ci === BREAK)
              return BREAK;
            else if (ci === REMOVE) {
              token.items.splice(i, 1);
              i -= 1;
            }
          }
          if (typeof ctrl === "function" && field === "key")
            ctrl = ctrl(item, path6);
        }
      }
      return typeof ctrl === "function" ? ctrl(item, path6) : ctrl;
    }
    exports.visit = visit;
  }
});

// node_modules/yaml/dist/parse/cst.js
var require_cst = __commonJS({
  "node_modules/yaml/dist/parse/cst.js"(exports) {
    "use strict";
    var cstScalar = require_cst_scalar();
    var cstStringify = require_cst_stringify();
    var cstVisit = require_cst_visit();
    var BOM = "\uFEFF";
    var DOCUMENT = "";
    var FLOW_END = "";
    var SCALAR = "";
    var isCollection = (token) => !!token && "items" in token;
    var isScalar = (token) => !!token && (token.type === "scalar" || token.type === "single-quoted-scalar" || token.type === "double-quoted-scalar" || token.type === "block-scalar");
    function prettyToken(token) {
      switch (token) {
        case BOM:
          return "<BOM>";
        case DOCUMENT:
          return "<DOC>";
        case FLOW_END:
          return "<FLOW_END>";
        case SCALAR:
          return "<SCALAR>";
        default:
          return JSON.stringify(token);
      }
    }
    function tokenType(source) {
      switch (source) {
        case BOM:
          return "byte-order-mark";
        case DOCUMENT:
          return "doc-mode";
        case FLOW_END:
          return "flow-error-end";
        case SCALAR:
          return "scalar";
        case "---":
          return "doc-start";
        case "...":
          return "doc-end";
        case "":
        case "\n":
        case "\r\n":
          return "newline";
        case "-":
          return "seq-item-ind";
        case "?":
          return "explicit-key-ind";
        case ":":
          return "map-value-ind";
        case "{":
          return "flow-map-start";
        case "}":
          return "flow-map-end";
        case "[":
          return "flow-seq-start";
        case "]":
          return "flow-seq-end";
        case ",":
          return "comma";
      }
      switch (source[0]) {
        case " ":
        case "	":
          return "space";
        case "#":
          return "comment";
        case "%":
          return "directive-line";
        case "*":
          return "alias";
        case "&":
          return "anchor";
        case "!":
          return "tag";
        case "'":
          return "single-quoted-scalar";
        case '"':
          return "double-quoted-scalar";
        case "|":
        case ">":
          return "block-scalar-header";
      }
      return null;
    }
    exports.createScalarToken = cstScalar.createScalarToken;
    exports.resolveAsScalar = cstScalar.resolveAsScalar;
    exports.setScalarValue = cstScalar.setScalarValue;
    exports.stringify = cstStringify.stringify;
    exports.visit = cstVisit.visit;
    exports.BOM = BOM;
    exports.DOCUMENT = DOCUMENT;
    exports.FLOW_END = FLOW_END;
    exports.SCALAR = SCALAR;
    exports.isCollection = isCollection;
    exports.isScalar = isScalar;
    exports.prettyToken = prettyToken;
    exports.tokenType = tokenType;
  }
});

// node_modules/yaml/dist/parse/lexer.js
var require_lexer = __commonJS({
  "node_modules/yaml/dist/parse/lexer.js"(exports) {
    "use strict";
    var cst = require_cst();
    function isEmpty(ch) {
      switch (ch) {
        case void 0:
        case " ":
        case "\n":
        case "\r":
        case "	":
          return true;
        default:
          return false;
      }
    }
    var hexDigits = new Set("0123456789ABCDEFabcdef");
    var tagChars = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
    var flowIndicatorChars = new Set(",[]{}");
    var invalidAnchorChars = new Set(" ,[]{}\n\r	");
    var isNotAnchorChar = (ch) => !ch || invalidAnchorChars.has(ch);
    var Lexer = class {
      constructor() {
        this.atEnd = false;
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        this.buffer = "";
        this.flowKey = false;
        this.flowLevel = 0;
        this.indentNext = 0;
        this.indentValue = 0;
        this.lineEndPos = null;
        this.next = null;
        this.pos = 0;
      }
      /**
       * Generate YAML tokens from the `source` string. If `incomplete`,
       * a part of the last line may be left as a buffer for the next call.
       *
       * @returns A generator of lexical tokens
       */
      *lex(source, incomplete = false) {
        if (source) {
          if (typeof source !== "string")
            throw TypeError("source is not a string");
          this.buffer = this.buffer ? this.buffer + source : source;
          this.lineEndPos = null;
        }
        this.atEnd = !incomplete;
        let next = this.next ?? "stream";
        while (next && (incomplete || this.hasChars(1)))
          next = yield* this.parseNext(next);
      }
      atLineEnd() {
        let i = this.pos;
        let ch = this.buffer[i];
        while (ch === " " || ch === "	")
          ch = this.buffer[++i];
        if (!ch || ch === "#" || ch === "\n")
          return true;
        if (ch === "\r")
          return this.buffer[i + 1] === "\n";
        return false;
      }
      charAt(n) {
        return this.buffer[this.pos + n];
      }
      continueScalar(offset) {
        let ch = this.buffer[offset];
        if (this.indentNext > 0) {
          let indent2 = 0;
          while (ch === " ")
            ch = this.buffer[++indent2 + offset];
          if (ch === "\r") {
            const next = this.buffer[indent2 + offset + 1];
            if (next === "\n" || !next && !this.atEnd)
              return offset + indent2 + 1;
          }
          return ch === "\n" || indent2 >= this.indentNext || !ch && !this.atEnd ? offset + indent2 : -1;
        }
        if (ch === "-" || ch === ".") {
          const dt = this.buffer.substr(offset, 3);
          if ((dt === "---" || dt === "...") && isEmpty(this.buffer[offset + 3]))
            return -1;
        }
        return offset;
      }
      getLine() {
        let end = this.lineEndPos;
        if (typeof end !== "number" || end !== -1 && end < this.pos) {
          end = this.buffer.indexOf("\n", this.pos);
          this.lineEndPos = end;
        }
        if (end === -1)
          return this.atEnd ? this.buffer.substring(this.pos) : null;
        if (this.buffer[end - 1] === "\r")
          end -= 1;
        return this.buffer.substring(this.pos, end);
      }
      hasChars(n) {
        return this.pos + n <= this.buffer.length;
      }
      setNext(state) {
        this.buffer = this.buffer.substring(this.pos);
        this.pos = 0;
        this.lineEndPos = null;
        this.next = state;
        return null;
      }
      peek(n) {
        return this.buffer.substr(this.pos, n);
      }
      *parseNext(next) {
        switch (next) {
          case "stream":
            return yield* this.parseStream();
          case "line-start":
            return yield* this.parseLineStart();
          case "block-start":
            return yield* this.parseBlockStart();
          case "doc":
            return yield* this.parseDocument();
          case "flow":
            return yield* this.parseFlowCollection();
          case "quoted-scalar":
            return yield* this.parseQuotedScalar();
          case "block-scalar":
            return yield* this.parseBlockScalar();
          case "plain-scalar":
            return yield* this.parsePlainScalar();
        }
      }
      *parseStream() {
        let line = this.getLine();
        if (line === null)
          return this.setNext("stream");
        if (line[0] === cst.BOM) {
          yield* this.pushCount(1);
          line = line.substring(1);
        }
        if (line[0] === "%") {
          let dirEnd = line.length;
          let cs = line.indexOf("#");
          while (cs !== -1) {
            const ch = line[cs - 1];
            if (ch === " " || ch === "	") {
              dirEnd = cs - 1;
              break;
            } else {
              cs = line.indexOf("#", cs + 1);
            }
          }
          while (true) {
            const ch = line[dirEnd - 1];
            if (ch === " " || ch === "	")
              dirEnd -= 1;
            else
              break;
          }
          const n = (yield* this.pushCount(dirEnd)) + (yield* this.pushSpaces(true));
          yield* this.pushCount(line.length - n);
          this.pushNewline();
          return "stream";
        }
        if (this.atLineEnd()) {
          const sp = yield* this.pushSpaces(true);
          yield* this.pushCount(line.length - sp);
          yield* this.pushNewline();
          return "stream";
        }
        yield cst.DOCUMENT;
        return yield* this.parseLineStart();
      }
      *parseLineStart() {
        const ch = this.charAt(0);
        if (!ch && !this.atEnd)
          return this.setNext("line-start");
        if (ch === "-" || ch === ".") {
          if (!this.atEnd && !this.hasChars(4))
            return this.setNext("line-start");
          const s2 = this.peek(3);
          if ((s2 === "---" || s2 === "...") && isEmpty(this.charAt(3))) {
            yield* this.pushCount(3);
            this.indentValue = 0;
            this.indentNext = 0;
            return s2 === "---" ? "doc" : "stream";
          }
        }
        this.indentValue = yield* this.pushSpaces(false);
        if (this.indentNext > this.indentValue && !isEmpty(this.charAt(1)))
          this.indentNext = this.indentValue;
        return yield* this.parseBlockStart();
      }
      *parseBlockStart() {
        const [ch0, ch1] = this.peek(2);
        if (!ch1 && !this.atEnd)
          return this.setNext("block-start");
        if ((ch0 === "-" || ch0 === "?" || ch0 === ":") && isEmpty(ch1)) {
          const n = (yield* this.pushCount(1)) + (yield* this.pushSpaces(true));
          this.indentNext = this.indentValue + 1;
          this.indentValue += n;
          return "block-start";
        }
        return "doc";
      }
      *parseDocument() {
        yield* this.pushSpaces(true);
        const line = this.getLine();
        if (line === null)
          return this.setNext("doc");
        let n = yield* this.pushIndicators();
        switch (line[n]) {
          case "#":
            yield* this.pushCount(line.length - n);
          // fallthrough
          case void 0:
            yield* this.pushNewline();
            return yield* this.parseLineStart();
          case "{":
          case "[":
            yield* this.pushCount(1);
            this.flowKey = false;
            this.flowLevel = 1;
            return "flow";
          case "}":
          case "]":
            yield* this.pushCount(1);
            return "doc";
          case "*":
            yield* this.pushUntil(isNotAnchorChar);
            return "doc";
          case '"':
          case "'":
            return yield* this.parseQuotedScalar();
          case "|":
          case ">":
            n += yield* this.parseBlockScalarHeader();
            n += yield* this.pushSpaces(true);
            yield* this.pushCount(line.length - n);
            yield* this.pushNewline();
            return yield* this.parseBlockScalar();
          default:
            return yield* this.parsePlainScalar();
        }
      }
      *parseFlowCollection() {
        let nl2, sp;
        let indent2 = -1;
        do {
          nl2 = yield* this.pushNewline();
          if (nl2 > 0) {
            sp = yield* this.pushSpaces(false);
            this.indentValue = indent2 = sp;
          } else {
            sp = 0;
          }
          sp += yield* this.pushSpaces(true);
        } while (nl2 + sp > 0);
        const line = this.getLine();
        if (line === null)
          return this.setNext("flow");
        if (indent2 !== -1 && indent2 < this.indentNext && line[0] !== "#" || indent2 === 0 && (line.startsWith("---") || line.startsWith("...")) && isEmpty(line[3])) {
          const atFlowEndMarker = indent2 === this.indentNext - 1 && this.flowLevel === 1 && (line[0] === "]" || line[0] === "}");
          if (!atFlowEndMarker) {
            this.flowLevel = 0;
            yield cst.FLOW_END;
            return yield* this.parseLineStart();
          }
        }
        let n = 0;
        while (line[n] === ",") {
          n += yield* this.pushCount(1);
          n += yield* this.pushSpaces(true);
          this.flowKey = false;
        }
        n += yield* this.pushIndicators();
        switch (line[n]) {
          case void 0:
            return "flow";
          case "#":
            yield* this.pushCount(line.length - n);
            return "flow";
          case "{":
          case "[":
            yield* this.pushCount(1);
            this.flowKey = false;
            this.flowLevel += 1;
            return "flow";
          case "}":
          case "]":
            yield* this.pushCount(1);
            this.flowKey = true;
            this.flowLevel -= 1;
            return this.flowLevel ? "flow" : "doc";
          case "*":
            yield* this.pushUntil(isNotAnchorChar);
            return "flow";
          case '"':
          case "'":
            this.flowKey = true;
            return yield* this.parseQuotedScalar();
          case ":": {
            const next = this.charAt(1);
            if (this.flowKey || isEmpty(next) || next === ",") {
              this.flowKey = false;
              yield* this.pushCount(1);
              yield* this.pushSpaces(true);
              return "flow";
            }
          }
          // fallthrough
          default:
            this.flowKey = false;
            return yield* this.parsePlainScalar();
        }
      }
      *parseQuotedScalar() {
        const quote2 = this.charAt(0);
        let end = this.buffer.indexOf(quote2, this.pos + 1);
        if (quote2 === "'") {
          while (end !== -1 && this.buffer[end + 1] === "'")
            end = this.buffer.indexOf("'", end + 2);
        } else {
          while (end !== -1) {
            let n = 0;
            while (this.buffer[end - 1 - n] === "\\")
              n += 1;
            if (n % 2 === 0)
              break;
            end = this.buffer.indexOf('"', end + 1);
          }
        }
        const qb = this.buffer.substring(0, end);
        let nl2 = qb.indexOf("\n", this.pos);
        if (nl2 !== -1) {
          while (nl2 !== -1) {
            const cs = this.continueScalar(nl2 + 1);
            if (cs === -1)
              break;
            nl2 = qb.indexOf("\n", cs);
          }
          if (nl2 !== -1) {
            end = nl2 - (qb[nl2 - 1] === "\r" ? 2 : 1);
          }
        }
        if (end === -1) {
          if (!this.atEnd)
            return this.setNext("quoted-scalar");
          end = this.buffer.length;
        }
        yield* this.pushToIndex(end + 1, false);
        return this.flowLevel ? "flow" : "doc";
      }
      *parseBlockScalarHeader() {
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        let i = this.pos;
        while (true) {
          const ch = this.buffer[++i];
          if (ch === "+")
            this.blockScalarKeep = true;
          else if (ch > "0" && ch <= "9")
            this.blockScalarIndent = Number(ch) - 1;
          else if (ch !== "-")
            break;
        }
        return yield* this.pushUntil((ch) => isEmpty(ch) || ch === "#");
      }
      *parseBlockScalar() {
        let nl2 = this.pos - 1;
        let indent2 = 0;
        let ch;
        loop: for (let i2 = this.pos; ch = this.buffer[i2]; ++i2) {
          switch (ch) {
            case " ":
              indent2 += 1;
              break;
            case "\n":
              nl2 = i2;
              indent2 = 0;
              break;
            case "\r": {
              const next = this.buffer[i2 + 1];
              if (!next && !this.atEnd)
                return this.setNext("block-scalar");
              if (next === "\n")
                break;
            }
            // fallthrough
            default:
              break loop;
          }
        }
        if (!ch && !this.atEnd)
          return this.setNext("block-scalar");
        if (indent2 >= this.indentNext) {
          if (this.blockScalarIndent === -1)
            this.indentNext = indent2;
          else {
            this.indentNext = this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
          }
          do {
            const cs = this.continueScalar(nl2 + 1);
            if (cs === -1)
              break;
            nl2 = this.buffer.indexOf("\n", cs);
          } while (nl2 !== -1);
          if (nl2 === -1) {
            if (!this.atEnd)
              return this.setNext("block-scalar");
            nl2 = this.buffer.length;
          }
        }
        let i = nl2 + 1;
        ch = this.buffer[i];
        while (ch === " ")
          ch = this.buffer[++i];
        if (ch === "	") {
          while (ch === "	" || ch === " " || ch === "\r" || ch === "\n")
            ch = this.buffer[++i];
          nl2 = i - 1;
        } else if (!this.blockScalarKeep) {
          do {
            let i2 = nl2 - 1;
            let ch2 = this.buffer[i2];
            if (ch2 === "\r")
              ch2 = this.buffer[--i2];
            const lastChar = i2;
            while (ch2 === " ")
              ch2 = this.buffer[--i2];
            if (ch2 === "\n" && i2 >= this.pos && i2 + 1 + indent2 > lastChar)
              nl2 = i2;
            else
              break;
          } while (true);
        }
        yield cst.SCALAR;
        yield* this.pushToIndex(nl2 + 1, true);
        return yield* this.parseLineStart();
      }
      *parsePlainScalar() {
        const inFlow = this.flowLevel > 0;
        let end = this.pos - 1;
        let i = this.pos - 1;
        let ch;
        while (ch = this.buffer[++i]) {
          if (ch === ":") {
            const next = this.buffer[i + 1];
            if (isEmpty(next) || inFlow && flowIndicatorChars.has(next))
              break;
            end = i;
          } else if (isEmpty(ch)) {
            let next = this.buffer[i + 1];
            if (ch === "\r") {
              if (next === "\n") {
                i += 1;
                ch = "\n";
                next = this.buffer[i + 1];
              } else
                end = i;
            }
            if (next === "#" || inFlow && flowIndicatorChars.has(next))
              break;
            if (ch === "\n") {
              const cs = this.continueScalar(i + 1);
              if (cs === -1)
                break;
              i = Math.max(i, cs - 2);
            }
          } else {
            if (inFlow && flowIndicatorChars.has(ch))
              break;
            end = i;
          }
        }
        if (!ch && !this.atEnd)
          return this.setNext("plain-scalar");
        yield cst.SCALAR;
        yield* this.pushToIndex(end + 1, true);
        return inFlow ? "flow" : "doc";
      }
      *pushCount(n) {
        if (n > 0) {
          yield this.buffer.substr(this.pos, n);
          this.pos += n;
          return n;
        }
        return 0;
      }
      *pushToIndex(i, allowEmpty) {
        const s2 = this.buffer.slice(this.pos, i);
        if (s2) {
          yield s2;
          this.pos += s2.length;
          return s2.length;
        } else if (allowEmpty)
          yield "";
        return 0;
      }
      *pushIndicators() {
        let n = 0;
        loop: while (true) {
          switch (this.charAt(0)) {
            case "!":
              n += yield* this.pushTag();
              n += yield* this.pushSpaces(true);
              continue loop;
            case "&":
              n += yield* this.pushUntil(isNotAnchorChar);
              n += yield* this.pushSpaces(true);
              continue loop;
            case "-":
            // this is an error
            case "?":
            // this is an error outside flow collections
            case ":": {
              const inFlow = this.flowLevel > 0;
              const ch1 = this.charAt(1);
              if (isEmpty(ch1) || inFlow && flowIndicatorChars.has(ch1)) {
                if (!inFlow)
                  this.indentNext = this.indentValue + 1;
                else if (this.flowKey)
                  this.flowKey = false;
                n += yield* this.pushCount(1);
                n += yield* this.pushSpaces(true);
                continue loop;
              }
            }
          }
          break loop;
        }
        return n;
      }
      *pushTag() {
        if (this.charAt(1) === "<") {
          let i = this.pos + 2;
          let ch = this.buffer[i];
          while (!isEmpty(ch) && ch !== ">")
            ch = this.buffer[++i];
          return yield* this.pushToIndex(ch === ">" ? i + 1 : i, false);
        } else {
          let i = this.pos + 1;
          let ch = this.buffer[i];
          while (ch) {
            if (tagChars.has(ch))
              ch = this.buffer[++i];
            else if (ch === "%" && hexDigits.has(this.buffer[i + 1]) && hexDigits.has(this.buffer[i + 2])) {
              ch = this.buffer[i += 3];
            } else
              break;
          }
          return yield* this.pushToIndex(i, false);
        }
      }
      *pushNewline() {
        const ch = this.buffer[this.pos];
        if (ch === "\n")
          return yield* this.pushCount(1);
        else if (ch === "\r" && this.charAt(1) === "\n")
          return yield* this.pushCount(2);
        else
          return 0;
      }
      *pushSpaces(allowTabs) {
        let i = this.pos - 1;
        let ch;
        do {
          ch = this.buffer[++i];
        } while (ch === " " || allowTabs && ch === "	");
        const n = i - this.pos;
        if (n > 0) {
          yield this.buffer.substr(this.pos, n);
          this.pos = i;
        }
        return n;
      }
      *pushUntil(test) {
        let i = this.pos;
        let ch = this.buffer[i];
        while (!test(ch))
          ch = this.buffer[++i];
        return yield* this.pushToIndex(i, false);
      }
    };
    exports.Lexer = Lexer;
  }
});

// node_modules/yaml/dist/parse/line-counter.js
var require_line_counter = __commonJS({
  "node_modules/yaml/dist/parse/line-counter.js"(exports) {
    "use strict";
    var LineCounter = class {
      constructor() {
        this.lineStarts = [];
        this.addNewLine = (offset) => this.lineStarts.push(offset);
        this.linePos = (offset) => {
          let low = 0;
          let high = this.lineStarts.length;
          while (low < high) {
            const mid = low + high >> 1;
            if (this.lineStarts[mid] < offset)
              low = mid + 1;
            else
              high = mid;
          }
          if (this.lineStarts[low] === offset)
            return { line: low + 1, col: 1 };
          if (low === 0)
            return { line: 0, col: offset };
          const start = this.lineStarts[low - 1];
          return { line: low, col: offset - start + 1 };
        };
      }
    };
    exports.LineCounter = LineCounter;
  }
});

// node_modules/yaml/dist/parse/parser.js
var require_parser = __commonJS({
  "node_modules/yaml/dist/parse/parser.js"(exports) {
    "use strict";
    var node_process = __require("process");
    var cst = require_cst();
    var lexer = require_lexer();
    function includesToken(list2, type) {
      for (let i = 0; i < list2.length; ++i)
        if (list2[i].type === type)
          return true;
      return false;
    }
    function findNonEmptyIndex(list2) {
      for (let i = 0; i < list2.length; ++i) {
        switch (list2[i].type) {
          case "space":
          case "comment":
          case "newline":
            break;
          default:
            return i;
        }
      }
      return -1;
    }
    function isFlowToken(token) {
      switch (token?.type) {
        case "alias":
        case "scalar":
        case "single-quoted-scalar":
        case "double-quoted-scalar":
        case "flow-collection":
          return true;
        default:
          return false;
      }
    }
    function getPrevProps(parent) {
      switch (parent.type) {
        case "document":
          return parent.start;
        case "block-map": {
          const it = parent.items[parent.items.length - 1];
          return it.sep ?? it.start;
        }
        case "block-seq":
          return parent.items[parent.items.length - 1].start;
        /* istanbul ignore next should not happen */
        default:
          return [];
      }
    }
    function getFirstKeyStartProps(prev) {
      if (prev.length === 0)
        return [];
      let i = prev.length;
      loop: while (--i >= 0) {
        switch (prev[i].type) {
          case "doc-start":
          case "explicit-key-ind":
          case "map-value-ind":
          case "seq-item-ind":
          case "newline":
            break loop;
        }
      }
      while (prev[++i]?.type === "space") {
      }
      return prev.splice(i, prev.length);
    }
    function arrayPushArray(target, source) {
      if (source.length < 1e5)
        Array.prototype.push.apply(target, source);
      else
        for (let i = 0; i < source.length; ++i)
          target.push(source[i]);
    }
    function fixFlowSeqItems(fc) {
      if (fc.start.type === "flow-seq-start") {
        for (const it of fc.items) {
          if (it.sep && !it.value && !includesToken(it.start, "explicit-key-ind") && !includesToken(it.sep, "map-value-ind")) {
            if (it.key)
              it.value = it.key;
            delete it.key;
            if (isFlowToken(it.value)) {
              if (it.value.end)
                arrayPushArray(it.value.end, it.sep);
              else
                it.value.end = it.sep;
            } else
              arrayPushArray(it.start, it.sep);
            delete it.sep;
          }
        }
      }
    }
    var Parser2 = class {
      /**
       * @param onNewLine - If defined, called separately with the start position of
       *   each new line (in `parse()`, including the start of input).
       */
      constructor(onNewLine) {
        this.atNewLine = true;
        this.atScalar = false;
        this.indent = 0;
        this.offset = 0;
        this.onKeyLine = false;
        this.stack = [];
        this.source = "";
        this.type = "";
        this.lexer = new lexer.Lexer();
        this.onNewLine = onNewLine;
      }
      /**
       * Parse `source` as a YAML stream.
       * If `incomplete`, a part of the last line may be left as a buffer for the next call.
       *
       * Errors are not thrown, but yielded as `{ type: 'error', message }` tokens.
       *
       * @returns A generator of tokens representing each directive, document, and other structure.
       */
      *parse(source, incomplete = false) {
        if (this.onNewLine && this.offset === 0)
          this.onNewLine(0);
        for (const lexeme of this.lexer.lex(source, incomplete))
          yield* this.next(lexeme);
        if (!incomplete)
          yield* this.end();
      }
      /**
       * Advance the parser by the `source` of one lexical token.
       */
      *next(source) {
        this.source = source;
        if (node_process.env.LOG_TOKENS)
          console.log("|", cst.prettyToken(source));
        if (this.atScalar) {
          this.atScalar = false;
          yield* this.step();
          this.offset += source.length;
          return;
        }
        const type = cst.tokenType(source);
        if (!type) {
          const message = `Not a YAML token: ${source}`;
          yield* this.pop({ type: "error", offset: this.offset, message, source });
          this.offset += source.length;
        } else if (type === "scalar") {
          this.atNewLine = false;
          this.atScalar = true;
          this.type = "scalar";
        } else {
          this.type = type;
          yield* this.step();
          switch (type) {
            case "newline":
              this.atNewLine = true;
              this.indent = 0;
              if (this.onNewLine)
                this.onNewLine(this.offset + source.length);
              break;
            case "space":
              if (this.atNewLine && source[0] === " ")
                this.indent += source.length;
              break;
            case "explicit-key-ind":
            case "map-value-ind":
            case "seq-item-ind":
              if (this.atNewLine)
                this.indent += source.length;
              break;
            case "doc-mode":
            case "flow-error-end":
              return;
            default:
              this.atNewLine = false;
          }
          this.offset += source.length;
        }
      }
      /** Call at end of input to push out any remaining constructions */
      *end() {
        while (this.stack.length > 0)
          yield* this.pop();
      }
      get sourceToken() {
        const st = {
          type: this.type,
          offset: this.offset,
          indent: this.indent,
          source: this.source
        };
        return st;
      }
      *step() {
        const top = this.peek(1);
        if (this.type === "doc-end" && top?.type !== "doc-end") {
          while (this.stack.length > 0)
            yield* this.pop();
          this.stack.push({
            type: "doc-end",
            offset: this.offset,
            source: this.source
          });
          return;
        }
        if (!top)
          return yield* this.stream();
        switch (top.type) {
          case "document":
            return yield* this.document(top);
          case "alias":
          case "scalar":
          case "single-quoted-scalar":
          case "double-quoted-scalar":
            return yield* this.scalar(top);
          case "block-scalar":
            return yield* this.blockScalar(top);
          case "block-map":
            return yield* this.blockMap(top);
          case "block-seq":
            return yield* this.blockSequence(top);
          case "flow-collection":
            return yield* this.flowCollection(top);
          case "doc-end":
            return yield* this.documentEnd(top);
        }
        yield* this.pop();
      }
      peek(n) {
        return this.stack[this.stack.length - n];
      }
      *pop(error) {
        const token = error ?? this.stack.pop();
        if (!token) {
          const message = "Tried to pop an empty stack";
          yield { type: "error", offset: this.offset, source: "", message };
        } else if (this.stack.length === 0) {
          yield token;
        } else {
          const top = this.peek(1);
          if (token.type === "block-scalar") {
            token.indent = "indent" in top ? top.indent : 0;
          } else if (token.type === "flow-collection" && top.type === "document") {
            token.indent = 0;
          }
          if (token.type === "flow-collection")
            fixFlowSeqItems(token);
          switch (top.type) {
            case "document":
              top.value = token;
              break;
            case "block-scalar":
              top.props.push(token);
              break;
            case "block-map": {
              const it = top.items[top.items.length - 1];
              if (it.value) {
                top.items.push({ start: [], key: token, sep: [] });
                this.onKeyLine = true;
                return;
              } else if (it.sep) {
                it.value = token;
              } else {
                Object.assign(it, { key: token, sep: [] });
                this.onKeyLine = !it.explicitKey;
                return;
              }
              break;
            }
            case "block-seq": {
              const it = top.items[top.items.length - 1];
              if (it.value)
                top.items.push({ start: [], value: token });
              else
                it.value = token;
              break;
            }
            case "flow-collection": {
              const it = top.items[top.items.length - 1];
              if (!it || it.value)
                top.items.push({ start: [], key: token, sep: [] });
              else if (it.sep)
                it.value = token;
              else
                Object.assign(it, { key: token, sep: [] });
              return;
            }
            /* istanbul ignore next should not happen */
            default:
              yield* this.pop();
              yield* this.pop(token);
          }
          if ((top.type === "document" || top.type === "block-map" || top.type === "block-seq") && (token.type === "block-map" || token.type === "block-seq")) {
            const last = token.items[token.items.length - 1];
            if (last && !last.sep && !last.value && last.start.length > 0 && findNonEmptyIndex(last.start) === -1 && (token.indent === 0 || last.start.every((st) => st.type !== "comment" || st.indent < token.indent))) {
              if (top.type === "document")
                top.end = last.start;
              else
                top.items.push({ start: last.start });
              token.items.splice(-1, 1);
            }
          }
        }
      }
      *stream() {
        switch (this.type) {
          case "directive-line":
            yield { type: "directive", offset: this.offset, source: this.source };
            return;
          case "byte-order-mark":
          case "space":
          case "comment":
          case "newline":
            yield this.sourceToken;
            return;
          case "doc-mode":
          case "doc-start": {
            const doc = {
              type: "document",
              offset: this.offset,
              start: []
            };
            if (this.type === "doc-start")
              doc.start.push(this.sourceToken);
            this.stack.push(doc);
            return;
          }
        }
        yield {
          type: "error",
          offset: this.offset,
          message: `Unexpected ${this.type} token in YAML stream`,
          source: this.source
        };
      }
      *document(doc) {
        if (doc.value)
          return yield* this.lineEnd(doc);
        switch (this.type) {
          case "doc-start": {
            if (findNonEmptyIndex(doc.start) !== -1) {
              yield* this.pop();
              yield* this.step();
            } else
              doc.start.push(this.sourceToken);
            return;
          }
          case "anchor":
          case "tag":
          case "space":
          case "comment":
          case "newline":
            doc.start.push(this.sourceToken);
            return;
        }
        const bv = this.startBlockValue(doc);
        if (bv)
          this.stack.push(bv);
        else {
          yield {
            type: "error",
            offset: this.offset,
            message: `Unexpected ${this.type} token in YAML document`,
            source: this.source
          };
        }
      }
      *scalar(scalar) {
        if (this.type === "map-value-ind") {
          const prev = getPrevProps(this.peek(2));
          const start = getFirstKeyStartProps(prev);
          let sep;
          if (scalar.end) {
            sep = scalar.end;
            sep.push(this.sourceToken);
            delete scalar.end;
          } else
            sep = [this.sourceToken];
          const map = {
            type: "block-map",
            offset: scalar.offset,
            indent: scalar.indent,
            items: [{ start, key: scalar, sep }]
          };
          this.onKeyLine = true;
          this.stack[this.stack.length - 1] = map;
        } else
          yield* this.lineEnd(scalar);
      }
      *blockScalar(scalar) {
        switch (this.type) {
          case "space":
          case "comment":
          case "newline":
            scalar.props.push(this.sourceToken);
            return;
          case "scalar":
            scalar.source = this.source;
            this.atNewLine = true;
            this.indent = 0;
            if (this.onNewLine) {
              let nl2 = this.source.indexOf("\n") + 1;
              while (nl2 !== 0) {
                this.onNewLine(this.offset + nl2);
                nl2 = this.source.indexOf("\n", nl2) + 1;
              }
            }
            yield* this.pop();
            break;
          /* istanbul ignore next should not happen */
          default:
            yield* this.pop();
            yield* this.step();
        }
      }
      *blockMap(map) {
        const it = map.items[map.items.length - 1];
        switch (this.type) {
          case "newline":
            this.onKeyLine = false;
            if (it.value) {
              const end = "end" in it.value ? it.value.end : void 0;
              const last = Array.isArray(end) ? end[end.length - 1] : void 0;
              if (last?.type === "comment")
                end?.push(this.sourceToken);
              else
                map.items.push({ start: [this.sourceToken] });
            } else if (it.sep) {
              it.sep.push(this.sourceToken);
            } else {
              it.start.push(this.sourceToken);
            }
            return;
          case "space":
          case "comment":
            if (it.value) {
              map.items.push({ start: [this.sourceToken] });
            } else if (it.sep) {
              it.sep.push(this.sourceToken);
            } else {
              if (this.atIndentedComment(it.start, map.indent)) {
                const prev = map.items[map.items.length - 2];
                const end = prev?.value?.end;
                if (Array.isArray(end)) {
                  arrayPushArray(end, it.start);
                  end.push(this.sourceToken);
                  map.items.pop();
                  return;
                }
              }
              it.start.push(this.sourceToken);
            }
            return;
        }
        if (this.indent >= map.indent) {
          const atMapIndent = !this.onKeyLine && this.indent === map.indent;
          const atNextItem = atMapIndent && (it.sep || it.explicitKey) && this.type !== "seq-item-ind";
          let start = [];
          if (atNextItem && it.sep && !it.value) {
            const nl2 = [];
            for (let i = 0; i < it.sep.length; ++i) {
              const st = it.sep[i];
              switch (st.type) {
                case "newline":
                  nl2.push(i);
                  break;
                case "space":
                  break;
                case "comment":
                  if (st.indent > map.indent)
                    nl2.length = 0;
                  break;
                default:
                  nl2.length = 0;
              }
            }
            if (nl2.length >= 2)
              start = it.sep.splice(nl2[1]);
          }
          switch (this.type) {
            case "anchor":
            case "tag":
              if (atNextItem || it.value) {
                start.push(this.sourceToken);
                map.items.push({ start });
                this.onKeyLine = true;
              } else if (it.sep) {
                it.sep.push(this.sourceToken);
              } else {
                it.start.push(this.sourceToken);
              }
              return;
            case "explicit-key-ind":
              if (!it.sep && !it.explicitKey) {
                it.start.push(this.sourceToken);
                it.explicitKey = true;
              } else if (atNextItem || it.value) {
                start.push(this.sourceToken);
                map.items.push({ start, explicitKey: true });
              } else {
                this.stack.push({
                  type: "block-map",
                  offset: this.offset,
                  indent: this.indent,
                  items: [{ start: [this.sourceToken], explicitKey: true }]
                });
              }
              this.onKeyLine = true;
              return;
            case "map-value-ind":
              if (it.explicitKey) {
                if (!it.sep) {
                  if (includesToken(it.start, "newline")) {
                    Object.assign(it, { key: null, sep: [this.sourceToken] });
                  } else {
                    const start2 = getFirstKeyStartProps(it.start);
                    this.stack.push({
                      type: "block-map",
                      offset: this.offset,
                      indent: this.indent,
                      items: [{ start: start2, key: null, sep: [this.sourceToken] }]
                    });
                  }
                } else if (it.value) {
                  map.items.push({ start: [], key: null, sep: [this.sourceToken] });
                } else if (includesToken(it.sep, "map-value-ind")) {
                  this.stack.push({
                    type: "block-map",
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, key: null, sep: [this.sourceToken] }]
                  });
                } else if (isFlowToken(it.key) && !includesToken(it.sep, "newline")) {
                  const start2 = getFirstKeyStartProps(it.start);
                  const key = it.key;
                  const sep = it.sep;
                  sep.push(this.sourceToken);
                  delete it.key;
                  delete it.sep;
                  this.stack.push({
                    type: "block-map",
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: start2, key, sep }]
                  });
                } else if (start.length > 0) {
                  it.sep = it.sep.concat(start, this.sourceToken);
                } else {
                  it.sep.push(this.sourceToken);
                }
              } else {
                if (!it.sep) {
                  Object.assign(it, { key: null, sep: [this.sourceToken] });
                } else if (it.value || atNextItem) {
                  map.items.push({ start, key: null, sep: [this.sourceToken] });
                } else if (includesToken(it.sep, "map-value-ind")) {
                  this.stack.push({
                    type: "block-map",
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: [], key: null, sep: [this.sourceToken] }]
                  });
                } else {
                  it.sep.push(this.sourceToken);
                }
              }
              this.onKeyLine = true;
              return;
            case "alias":
            case "scalar":
            case "single-quoted-scalar":
            case "double-quoted-scalar": {
              const fs8 = this.flowScalar(this.type);
              if (atNextItem || it.value) {
                map.items.push({ start, key: fs8, sep: [] });
                this.onKeyLine = true;
              } else if (it.sep) {
                this.stack.push(fs8);
              } else {
                Object.assign(it, { key: fs8, sep: [] });
                this.onKeyLine = true;
              }
              return;
            }
            default: {
              const bv = this.startBlockValue(map);
              if (bv) {
                if (bv.type === "block-seq") {
                  if (!it.explicitKey && it.sep && !includesToken(it.sep, "newline")) {
                    yield* this.pop({
                      type: "error",
                      offset: this.offset,
                      message: "Unexpected block-seq-ind on same line with key",
                      source: this.source
                    });
                    return;
                  }
                } else if (atMapIndent) {
                  map.items.push({ start });
                }
                this.stack.push(bv);
                return;
              }
            }
          }
        }
        yield* this.pop();
        yield* this.step();
      }
      *blockSequence(seq) {
        const it = seq.items[seq.items.length - 1];
        switch (this.type) {
          case "newline":
            if (it.value) {
              const end = "end" in it.value ? it.value.end : void 0;
              const last = Array.isArray(end) ? end[end.length - 1] : void 0;
              if (last?.type === "comment")
                end?.push(this.sourceToken);
              else
                seq.items.push({ start: [this.sourceToken] });
            } else
              it.start.push(this.sourceToken);
            return;
          case "space":
          case "comment":
            if (it.value)
              seq.items.push({ start: [this.sourceToken] });
            else {
              if (this.atIndentedComment(it.start, seq.indent)) {
                const prev = seq.items[seq.items.length - 2];
                const end = prev?.value?.end;
                if (Array.isArray(end)) {
                  arrayPushArray(end, it.start);
                  end.push(this.sourceToken);
                  seq.items.pop();
                  return;
                }
              }
              it.start.push(this.sourceToken);
            }
            return;
          case "anchor":
          case "tag":
            if (it.value || this.indent <= seq.indent)
              break;
            it.start.push(this.sourceToken);
            return;
          case "seq-item-ind":
            if (this.indent !== seq.indent)
              break;
            if (it.value || includesToken(it.start, "seq-item-ind"))
              seq.items.push({ start: [this.sourceToken] });
            else
              it.start.push(this.sourceToken);
            return;
        }
        if (this.indent > seq.indent) {
          const bv = this.startBlockValue(seq);
          if (bv) {
            this.stack.push(bv);
            return;
          }
        }
        yield* this.pop();
        yield* this.step();
      }
      *flowCollection(fc) {
        const it = fc.items[fc.items.length - 1];
        if (this.type === "flow-error-end") {
          let top;
          do {
            yield* this.pop();
            top = this.peek(1);
          } while (top?.type === "flow-collection");
        } else if (fc.end.length === 0) {
          switch (this.type) {
            case "comma":
            case "explicit-key-ind":
              if (!it || it.sep)
                fc.items.push({ start: [this.sourceToken] });
              else
                it.start.push(this.sourceToken);
              return;
            case "map-value-ind":
              if (!it || it.value)
                fc.items.push({ start: [], key: null, sep: [this.sourceToken] });
              else if (it.sep)
                it.sep.push(this.sourceToken);
              else
                Object.assign(it, { key: null, sep: [this.sourceToken] });
              return;
            case "space":
            case "comment":
            case "newline":
            case "anchor":
            case "tag":
              if (!it || it.value)
                fc.items.push({ start: [this.sourceToken] });
              else if (it.sep)
                it.sep.push(this.sourceToken);
              else
                it.start.push(this.sourceToken);
              return;
            case "alias":
            case "scalar":
            case "single-quoted-scalar":
            case "double-quoted-scalar": {
              const fs8 = this.flowScalar(this.type);
              if (!it || it.value)
                fc.items.push({ start: [], key: fs8, sep: [] });
              else if (it.sep)
                this.stack.push(fs8);
              else
                Object.assign(it, { key: fs8, sep: [] });
              return;
            }
            case "flow-map-end":
            case "flow-seq-end":
              fc.end.push(this.sourceToken);
              return;
          }
          const bv = this.startBlockValue(fc);
          if (bv)
            this.stack.push(bv);
          else {
            yield* this.pop();
            yield* this.step();
          }
        } else {
          const parent = this.peek(2);
          if (parent.type === "block-map" && (this.type === "map-value-ind" && parent.indent === fc.indent || this.type === "newline" && !parent.items[parent.items.length - 1].sep)) {
            yield* this.pop();
            yield* this.step();
          } else if (this.type === "map-value-ind" && parent.type !== "flow-collection") {
            const prev = getPrevProps(parent);
            const start = getFirstKeyStartProps(prev);
            fixFlowSeqItems(fc);
            const sep = fc.end.splice(1, fc.end.length);
            sep.push(this.sourceToken);
            const map = {
              type: "block-map",
              offset: fc.offset,
              indent: fc.indent,
              items: [{ start, key: fc, sep }]
            };
            this.onKeyLine = true;
            this.stack[this.stack.length - 1] = map;
          } else {
            yield* this.lineEnd(fc);
          }
        }
      }
      flowScalar(type) {
        if (this.onNewLine) {
          let nl2 = this.source.indexOf("\n") + 1;
          while (nl2 !== 0) {
            this.onNewLine(this.offset + nl2);
            nl2 = this.source.indexOf("\n", nl2) + 1;
          }
        }
        return {
          type,
          offset: this.offset,
          indent: this.indent,
          source: this.source
        };
      }
      startBlockValue(parent) {
        switch (this.type) {
          case "alias":
          case "scalar":
          case "single-quoted-scalar":
          case "double-quoted-scalar":
            return this.flowScalar(this.type);
          case "block-scalar-header":
            return {
              type: "block-scalar",
              offset: this.offset,
              indent: this.indent,
              props: [this.sourceToken],
              source: ""
            };
          case "flow-map-start":
          case "flow-seq-start":
            return {
              type: "flow-collection",
              offset: this.offset,
              indent: this.indent,
              start: this.sourceToken,
              items: [],
              end: []
            };
          case "seq-item-ind":
            return {
              type: "block-seq",
              offset: this.offset,
              indent: this.indent,
              items: [{ start: [this.sourceToken] }]
            };
          case "explicit-key-ind": {
            this.onKeyLine = true;
            const prev = getPrevProps(parent);
            const start = getFirstKeyStartProps(prev);
            start.push(this.sourceToken);
            return {
              type: "block-map",
              offset: this.offset,
              indent: this.indent,
              items: [{ start, explicitKey: true }]
            };
          }
          case "map-value-ind": {
            this.onKeyLine = true;
            const prev = getPrevProps(parent);
            const start = getFirstKeyStartProps(prev);
            return {
              type: "block-map",
              offset: this.offset,
              indent: this.indent,
              items: [{ start, key: null, sep: [this.sourceToken] }]
            };
          }
        }
        return null;
      }
      atIndentedComment(start, indent2) {
        if (this.type !== "comment")
          return false;
        if (this.indent <= indent2)
          return false;
        return start.every((st) => st.type === "newline" || st.type === "space");
      }
      *documentEnd(docEnd) {
        if (this.type !== "doc-mode") {
          if (docEnd.end)
            docEnd.end.push(this.sourceToken);
          else
            docEnd.end = [this.sourceToken];
          if (this.type === "newline")
            yield* this.pop();
        }
      }
      *lineEnd(token) {
        switch (this.type) {
          case "comma":
          case "doc-start":
          case "doc-end":
          case "flow-seq-end":
          case "flow-map-end":
          case "map-value-ind":
            yield* this.pop();
            yield* this.step();
            break;
          case "newline":
            this.onKeyLine = false;
          // fallthrough
          case "space":
          case "comment":
          default:
            if (token.end)
              token.end.push(this.sourceToken);
            else
              token.end = [this.sourceToken];
            if (this.type === "newline")
              yield* this.pop();
        }
      }
    };
    exports.Parser = Parser2;
  }
});

// node_modules/yaml/dist/public-api.js
var require_public_api = __commonJS({
  "node_modules/yaml/dist/public-api.js"(exports) {
    "use strict";
    var composer = require_composer();
    var Document = require_Document();
    var errors = require_errors();
    var log4 = require_log();
    var identity = require_identity();
    var lineCounter = require_line_counter();
    var parser = require_parser();
    function parseOptions(options) {
      const prettyErrors = options.prettyErrors !== false;
      const lineCounter$1 = options.lineCounter || prettyErrors && new lineCounter.LineCounter() || null;
      return { lineCounter: lineCounter$1, prettyErrors };
    }
    function parseAllDocuments2(source, options = {}) {
      const { lineCounter: lineCounter2, prettyErrors } = parseOptions(options);
      const parser$1 = new parser.Parser(lineCounter2?.addNewLine);
      const composer$1 = new composer.Composer(options);
      const docs = Array.from(composer$1.compose(parser$1.parse(source)));
      if (prettyErrors && lineCounter2)
        for (const doc of docs) {
          doc.errors.forEach(errors.prettifyError(source, lineCounter2));
          doc.warnings.forEach(errors.prettifyError(source, lineCounter2));
        }
      if (docs.length > 0)
        return docs;
      return Object.assign([], { empty: true }, composer$1.streamInfo());
    }
    function parseDocument(source, options = {}) {
      const { lineCounter: lineCounter2, prettyErrors } = parseOptions(options);
      const parser$1 = new parser.Parser(lineCounter2?.addNewLine);
      const composer$1 = new composer.Composer(options);
      let doc = null;
      for (const _doc of composer$1.compose(parser$1.parse(source), true, source.length)) {
        if (!doc)
          doc = _doc;
        else if (doc.options.logLevel !== "silent") {
          doc.errors.push(new errors.YAMLParseError(_doc.range.slice(0, 2), "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
          break;
        }
      }
      if (prettyErrors && lineCounter2) {
        doc.errors.forEach(errors.prettifyError(source, lineCounter2));
        doc.warnings.forEach(errors.prettifyError(source, lineCounter2));
      }
      return doc;
    }
    function parse(src, reviver, options) {
      let _reviver = void 0;
      if (typeof reviver === "function") {
        _reviver = reviver;
      } else if (options === void 0 && reviver && typeof reviver === "object") {
        options = reviver;
      }
      const doc = parseDocument(src, options);
      if (!doc)
        return null;
      doc.warnings.forEach((warning) => log4.warn(doc.options.logLevel, warning));
      if (doc.errors.length > 0) {
        if (doc.options.logLevel !== "silent")
          throw doc.errors[0];
        else
          doc.errors = [];
      }
      return doc.toJS(Object.assign({ reviver: _reviver }, options));
    }
    function stringify2(value, replacer, options) {
      let _replacer = null;
      if (typeof replacer === "function" || Array.isArray(replacer)) {
        _replacer = replacer;
      } else if (options === void 0 && replacer) {
        options = replacer;
      }
      if (typeof options === "string")
        options = options.length;
      if (typeof options === "number") {
        const indent2 = Math.round(options);
        options = indent2 < 1 ? void 0 : indent2 > 8 ? { indent: 8 } : { indent: indent2 };
      }
      if (value === void 0) {
        const { keepUndefined } = options ?? replacer ?? {};
        if (!keepUndefined)
          return void 0;
      }
      if (identity.isDocument(value) && !_replacer)
        return value.toString(options);
      return new Document.Document(value, _replacer, options).toString(options);
    }
    exports.parse = parse;
    exports.parseAllDocuments = parseAllDocuments2;
    exports.parseDocument = parseDocument;
    exports.stringify = stringify2;
  }
});

// node_modules/yaml/dist/index.js
var require_dist = __commonJS({
  "node_modules/yaml/dist/index.js"(exports) {
    "use strict";
    var composer = require_composer();
    var Document = require_Document();
    var Schema = require_Schema();
    var errors = require_errors();
    var Alias = require_Alias();
    var identity = require_identity();
    var Pair = require_Pair();
    var Scalar = require_Scalar();
    var YAMLMap = require_YAMLMap();
    var YAMLSeq = require_YAMLSeq();
    var cst = require_cst();
    var lexer = require_lexer();
    var lineCounter = require_line_counter();
    var parser = require_parser();
    var publicApi = require_public_api();
    var visit = require_visit();
    exports.Composer = composer.Composer;
    exports.Document = Document.Document;
    exports.Schema = Schema.Schema;
    exports.YAMLError = errors.YAMLError;
    exports.YAMLParseError = errors.YAMLParseError;
    exports.YAMLWarning = errors.YAMLWarning;
    exports.Alias = Alias.Alias;
    exports.isAlias = identity.isAlias;
    exports.isCollection = identity.isCollection;
    exports.isDocument = identity.isDocument;
    exports.isMap = identity.isMap;
    exports.isNode = identity.isNode;
    exports.isPair = identity.isPair;
    exports.isScalar = identity.isScalar;
    exports.isSeq = identity.isSeq;
    exports.Pair = Pair.Pair;
    exports.Scalar = Scalar.Scalar;
    exports.YAMLMap = YAMLMap.YAMLMap;
    exports.YAMLSeq = YAMLSeq.YAMLSeq;
    exports.CST = cst;
    exports.Lexer = lexer.Lexer;
    exports.LineCounter = lineCounter.LineCounter;
    exports.Parser = parser.Parser;
    exports.parse = publicApi.parse;
    exports.parseAllDocuments = publicApi.parseAllDocuments;
    exports.parseDocument = publicApi.parseDocument;
    exports.stringify = publicApi.stringify;
    exports.visit = visit.visit;
    exports.visitAsync = visit.visitAsync;
  }
});

// src/api/kinds.ts
function kindInfo(kind) {
  return byKind.get(kind);
}
function resolveKind(name) {
  return byKind.get(name) ?? byName.get(name.toLowerCase());
}
var KINDS, byKind, byName;
var init_kinds = __esm({
  "src/api/kinds.ts"() {
    "use strict";
    KINDS = [
      { kind: "IPPool", plural: "ippools", namespaced: false, aliases: ["ippool", "ipp", "ipps", "pool", "pools"] },
      { kind: "Node", plural: "nodes", namespaced: false, aliases: ["node", "no", "nos"] },
      { kind: "BGPConfiguration", plural: "bgpconfigurations", namespaced: false, aliases: ["bgpconfiguration", "bgpconfig", "bgpconfigs", "bgpc"] },
      { kind: "BGPPeer", plural: "bgppeers", namespaced: false, aliases: ["bgppeer", "bgpp", "bgpps", "bp", "bps"] },
      { kind: "FelixConfiguration", plural: "felixconfigurations", namespaced: false, aliases: ["felixconfiguration", "felixconfig", "felixconfigs", "fc"] },
      { kind: "ClusterInformation", plural: "clusterinformations", namespaced: false, aliases: ["clusterinformation", "clusterinfo", "clusterinfos"] },
      { kind: "WorkloadEndpoint", plural: "workloadendpoints", namespaced: true, aliases: ["workloadendpoint", "wep", "weps"] },
      { kind: "HostEndpoint", plural: "hostendpoints", namespaced: false, aliases: ["hostendpoint", "hep", "heps"] },
      { kind: "Profile", plural: "profiles", namespaced: false, aliases: ["profile", "pro", "pros"] },
      { kind: "NetworkPolicy", plural: "networkpolicies", namespaced: true, aliases: ["networkpolicy", "np", "nps", "policy", "policies", "pol", "pols"] },
      { kind: "GlobalNetworkPolicy", plural: "globalnetworkpolicies", namespaced: false, aliases: ["globalnetworkpolicy", "gnp", "gnps"] },
      { kind: "NetworkSet", plural: "networksets", namespaced: true, aliases: ["networkset", "netset", "netsets"] },
      { kind: "GlobalNetworkSet", plural: "globalnetworksets", namespaced: false, aliases: ["globalnetworkset", "gnetset", "gnetsets"] },
      { kind: "Tier", plural: "tiers", namespaced: false, aliases: ["tier"] },
      { kind: "IPAMConfiguration", plural: "ipamconfigurations", namespaced: false, aliases: ["ipamconfiguration", "ipamconfig", "ipamconfigs"] },
      { kind: "IPAMBlock", plural: "ipamblocks", namespaced: false, aliases: ["ipamblock"], ipam: true },
      { kind: "BlockAffinity", plural: "blockaffinities", namespaced: false, aliases: ["blockaffinity"], ipam: true },
      { kind: "IPAMHandle", plural: "ipamhandles", namespaced: false, aliases: ["ipamhandle"], ipam: true }
    ];
    byKind = new Map(KINDS.map((k) => [k.kind, k]));
    byName = /* @__PURE__ */ new Map();
    for (const k of KINDS) for (const n of [k.kind.toLowerCase(), k.plural, ...k.aliases]) byName.set(n, k);
  }
});

// src/api/resource.ts
function resourceId(kind, name, namespace) {
  return namespace ? `${kind}(${namespace}/${name})` : `${kind}(${name})`;
}
var API_VERSION;
var init_resource = __esm({
  "src/api/resource.ts"() {
    "use strict";
    API_VERSION = "projectcalico.org/v3";
  }
});

// src/datastore/types.ts
function isDatastoreError(e, code) {
  return e instanceof DatastoreError && (code === void 0 || e.code === code);
}
var DatastoreError;
var init_types = __esm({
  "src/datastore/types.ts"() {
    "use strict";
    DatastoreError = class extends Error {
      constructor(code, message, compactRevision) {
        super(message);
        this.code = code;
        this.compactRevision = compactRevision;
        this.name = "DatastoreError";
      }
      code;
      compactRevision;
    };
  }
});

// src/selector/ast.ts
function get(labels2, key) {
  return Object.prototype.hasOwnProperty.call(labels2, key) ? labels2[key] : void 0;
}
function evaluateNode(node, labels2) {
  switch (node.type) {
    case "all":
      return true;
    case "global":
      return true;
    case "has":
      return get(labels2, node.label) !== void 0;
    case "eq":
      return get(labels2, node.label) === node.value;
    case "ne":
      return get(labels2, node.label) !== node.value;
    // true when absent
    case "in": {
      const v = get(labels2, node.label);
      return v !== void 0 && node.values.includes(v);
    }
    case "notIn": {
      const v = get(labels2, node.label);
      return v === void 0 || !node.values.includes(v);
    }
    case "contains": {
      const v = get(labels2, node.label);
      return v !== void 0 && v.includes(node.value);
    }
    case "startsWith": {
      const v = get(labels2, node.label);
      return v !== void 0 && v.startsWith(node.value);
    }
    case "endsWith": {
      const v = get(labels2, node.label);
      return v !== void 0 && v.endsWith(node.value);
    }
    case "not":
      return !evaluateNode(node.operand, labels2);
    case "and":
      for (const o of node.operands) if (!evaluateNode(o, labels2)) return false;
      return true;
    case "or":
      for (const o of node.operands) if (evaluateNode(o, labels2)) return true;
      return false;
  }
}
function quote(value) {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}
function printNode(node) {
  switch (node.type) {
    case "all":
      return "all()";
    case "global":
      return "global()";
    case "has":
      return `has(${node.label})`;
    case "eq":
      return `${node.label} == ${quote(node.value)}`;
    case "ne":
      return `${node.label} != ${quote(node.value)}`;
    case "in":
      return `${node.label} in {${node.values.map(quote).join(", ")}}`;
    case "notIn":
      return `${node.label} not in {${node.values.map(quote).join(", ")}}`;
    case "contains":
      return `${node.label} contains ${quote(node.value)}`;
    case "startsWith":
      return `${node.label} starts with ${quote(node.value)}`;
    case "endsWith":
      return `${node.label} ends with ${quote(node.value)}`;
    case "not":
      return `!${printNode(node.operand)}`;
    case "and":
      return `(${node.operands.map(printNode).join(" && ")})`;
    case "or":
      return `(${node.operands.map(printNode).join(" || ")})`;
  }
}
function collectLabelKeys(node, out3) {
  switch (node.type) {
    case "all":
    case "global":
      return;
    case "not":
      collectLabelKeys(node.operand, out3);
      return;
    case "and":
    case "or":
      for (const o of node.operands) collectLabelKeys(o, out3);
      return;
    default:
      out3.add(node.label);
  }
}
function containsGlobal(node) {
  switch (node.type) {
    case "global":
      return true;
    case "not":
      return containsGlobal(node.operand);
    case "and":
    case "or":
      return node.operands.some(containsGlobal);
    default:
      return false;
  }
}
var init_ast = __esm({
  "src/selector/ast.ts"() {
    "use strict";
  }
});

// src/selector/parser.ts
function tokenize(input) {
  const toks = [];
  let i = 0;
  while (true) {
    while (i < input.length && /\s/.test(input[i])) i++;
    if (i >= input.length) {
      toks.push({ kind: "eof", value: "", pos: i });
      return toks;
    }
    const rest = input.slice(i);
    const prev = toks[toks.length - 1];
    let m;
    if (prev?.kind === "label") {
      let matched = false;
      for (const [re, kind] of AFTER_LABEL) {
        if (m = re.exec(rest)) {
          toks.push({ kind, value: m[0], pos: i });
          i += m[0].length;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    if (m = HAS_RE.exec(rest)) {
      checkLabelLength(m[1], i + m[0].indexOf(m[1]), input);
      toks.push({ kind: "has", value: m[1], pos: i });
      i += m[0].length;
      continue;
    }
    if (m = ALL_RE.exec(rest)) {
      toks.push({ kind: "all", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (m = GLOBAL_RE.exec(rest)) {
      toks.push({ kind: "global", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const punct = PUNCT.find(([p]) => rest.startsWith(p));
    if (punct) {
      toks.push({ kind: punct[1], value: punct[0], pos: i });
      i += punct[0].length;
      continue;
    }
    const c = input[i];
    if (c === '"' || c === "'") {
      const end = input.indexOf(c, i + 1);
      if (end < 0) throw new SelectorSyntaxError(`unterminated string literal (missing closing ${c})`, i, input);
      toks.push({ kind: "string", value: input.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    if (m = LABEL_RE.exec(rest)) {
      checkLabelLength(m[0], i, input);
      toks.push({ kind: "label", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    throw new SelectorSyntaxError(`unexpected character ${JSON.stringify(c)}`, i, input);
  }
}
function checkLabelLength(label, pos, input) {
  if (label.length > MAX_LABEL_LENGTH) {
    throw new SelectorSyntaxError(`label name longer than ${MAX_LABEL_LENGTH} characters`, pos, input);
  }
}
function describe(t) {
  if (t.kind === "label") return `label ${JSON.stringify(t.value)}`;
  if (t.kind === "string") return `string ${JSON.stringify(t.value)}`;
  return DESCRIBE[t.kind];
}
function parseNode(input) {
  return new Parser(tokenize(input), input).parseAll();
}
var SelectorSyntaxError, MAX_LABEL_LENGTH, LABEL_RE, HAS_RE, ALL_RE, GLOBAL_RE, AFTER_LABEL, PUNCT, DESCRIBE, Parser;
var init_parser = __esm({
  "src/selector/parser.ts"() {
    "use strict";
    SelectorSyntaxError = class extends Error {
      constructor(reason, position, selector2) {
        super(`invalid selector ${JSON.stringify(selector2)}: ${reason} at position ${position}
  ${selector2}
  ${" ".repeat(position)}^`);
        this.reason = reason;
        this.position = position;
        this.selector = selector2;
        this.name = "SelectorSyntaxError";
      }
      reason;
      position;
      selector;
    };
    MAX_LABEL_LENGTH = 512;
    LABEL_RE = /^[a-zA-Z0-9_./-]+/;
    HAS_RE = /^has\(\s*([a-zA-Z0-9_./-]+)\s*\)/;
    ALL_RE = /^all\(\s*\)/;
    GLOBAL_RE = /^global\(\s*\)/;
    AFTER_LABEL = [
      [/^not\s+in(?![a-zA-Z0-9_./-])/, "notIn"],
      [/^in(?![a-zA-Z0-9_./-])/, "in"],
      [/^contains(?![a-zA-Z0-9_./-])/, "contains"],
      [/^starts\s+with(?![a-zA-Z0-9_./-])/, "startsWith"],
      [/^ends\s+with(?![a-zA-Z0-9_./-])/, "endsWith"]
    ];
    PUNCT = [
      ["!=", "ne"],
      ["==", "eq"],
      ["&&", "and"],
      ["||", "or"],
      ["!", "not"],
      ["(", "lparen"],
      [")", "rparen"],
      ["{", "lbrace"],
      ["}", "rbrace"],
      [",", "comma"]
    ];
    DESCRIBE = {
      label: "label",
      string: "string literal",
      eq: "'=='",
      ne: "'!='",
      in: "'in'",
      notIn: "'not in'",
      contains: "'contains'",
      startsWith: "'starts with'",
      endsWith: "'ends with'",
      has: "has()",
      all: "all()",
      global: "global()",
      not: "'!'",
      and: "'&&'",
      or: "'||'",
      lparen: "'('",
      rparen: "')'",
      lbrace: "'{'",
      rbrace: "'}'",
      comma: "','",
      eof: "end of selector"
    };
    Parser = class {
      constructor(toks, input) {
        this.toks = toks;
        this.input = input;
      }
      toks;
      input;
      i = 0;
      peek() {
        return this.toks[this.i];
      }
      next() {
        return this.toks[this.i++];
      }
      fail(t, expected) {
        throw new SelectorSyntaxError(`expected ${expected}, found ${describe(t)}`, t.pos, this.input);
      }
      expect(kind) {
        const t = this.next();
        if (t.kind !== kind) this.fail(t, DESCRIBE[kind]);
        return t;
      }
      parseAll() {
        if (this.peek().kind === "eof") return { type: "all" };
        const node = this.parseOr();
        const t = this.peek();
        if (t.kind !== "eof") this.fail(t, "'&&', '||' or end of selector");
        return node;
      }
      parseOr() {
        const operands = [this.parseAnd()];
        while (this.peek().kind === "or") {
          this.next();
          operands.push(this.parseAnd());
        }
        return operands.length === 1 ? operands[0] : { type: "or", operands };
      }
      parseAnd() {
        const operands = [this.parseUnary()];
        while (this.peek().kind === "and") {
          this.next();
          operands.push(this.parseUnary());
        }
        return operands.length === 1 ? operands[0] : { type: "and", operands };
      }
      parseUnary() {
        const t = this.next();
        switch (t.kind) {
          case "not": {
            const operand = this.parseUnary();
            return operand.type === "not" ? operand.operand : { type: "not", operand };
          }
          case "lparen": {
            const inner = this.parseOr();
            this.expect("rparen");
            return inner;
          }
          case "all":
            return { type: "all" };
          case "global":
            return { type: "global" };
          case "has":
            return { type: "has", label: t.value };
          case "label":
            return this.parseOperation(t.value);
          default:
            this.fail(t, "a label, has(), all(), global(), '!' or '('");
        }
      }
      parseOperation(label) {
        const op = this.next();
        switch (op.kind) {
          case "eq":
            return { type: "eq", label, value: this.expectString() };
          case "ne":
            return { type: "ne", label, value: this.expectString() };
          case "contains":
            return { type: "contains", label, value: this.expectString() };
          case "startsWith":
            return { type: "startsWith", label, value: this.expectString() };
          case "endsWith":
            return { type: "endsWith", label, value: this.expectString() };
          case "in":
            return { type: "in", label, values: this.parseSet() };
          case "notIn":
            return { type: "notIn", label, values: this.parseSet() };
          default:
            this.fail(op, `an operator after label ${JSON.stringify(label)} ('==', '!=', 'in', 'not in', 'contains', 'starts with', 'ends with')`);
        }
      }
      expectString() {
        const t = this.next();
        if (t.kind !== "string") this.fail(t, "a quoted string");
        return t.value;
      }
      parseSet() {
        this.expect("lbrace");
        const values = /* @__PURE__ */ new Set();
        if (this.peek().kind === "rbrace") {
          this.next();
          return [];
        }
        while (true) {
          values.add(this.expectString());
          const t = this.next();
          if (t.kind === "rbrace") break;
          if (t.kind !== "comma") this.fail(t, "',' or '}'");
        }
        return [...values].sort();
      }
    };
  }
});

// src/selector/index.ts
function parseSelector(expr) {
  const hit = cache.get(expr);
  if (hit) return hit;
  const sel = new ParsedSelector(parseNode(expr));
  cache.set(expr, sel);
  return sel;
}
function selectorError(expr) {
  try {
    parseSelector(expr);
    return void 0;
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return e.message;
    throw e;
  }
}
var ParsedSelector, LruCache, cache;
var init_selector = __esm({
  "src/selector/index.ts"() {
    "use strict";
    init_ast();
    init_parser();
    init_parser();
    init_ast();
    ParsedSelector = class {
      constructor(ast) {
        this.ast = ast;
        this.usesGlobal = containsGlobal(ast);
        this.canonical = printNode(ast);
        const keys = /* @__PURE__ */ new Set();
        collectLabelKeys(ast, keys);
        this.keys = [...keys].sort();
      }
      ast;
      usesGlobal;
      canonical;
      keys;
      evaluate(labels2) {
        return evaluateNode(this.ast, labels2);
      }
      toString() {
        return this.canonical;
      }
      labelKeys() {
        return [...this.keys];
      }
    };
    LruCache = class {
      constructor(capacity) {
        this.capacity = capacity;
      }
      capacity;
      map = /* @__PURE__ */ new Map();
      get(k) {
        const v = this.map.get(k);
        if (v !== void 0) {
          this.map.delete(k);
          this.map.set(k, v);
        }
        return v;
      }
      set(k, v) {
        this.map.delete(k);
        this.map.set(k, v);
        if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value);
      }
      get size() {
        return this.map.size;
      }
      clear() {
        this.map.clear();
      }
    };
    cache = new LruCache(1024);
  }
});

// src/log.ts
var log_exports = {};
__export(log_exports, {
  createLogger: () => createLogger,
  levelFromName: () => levelFromName
});
import pino from "pino";
function levelFromName(name, fallback = "info") {
  return name && calicoToPino[name.toLowerCase()] || fallback;
}
function createLogger(component, opts = {}) {
  const level = levelFromName(opts.level ?? process.env.TABBY_LOG_LEVEL ?? process.env.LOG_LEVEL);
  const dest = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: true }) : pino.destination(2);
  return pino({ level, base: { component, pid: process.pid } }, dest);
}
var calicoToPino;
var init_log = __esm({
  "src/log.ts"() {
    "use strict";
    calicoToPino = {
      debug: "debug",
      info: "info",
      warning: "warn",
      warn: "warn",
      error: "error",
      fatal: "fatal",
      panic: "fatal",
      trace: "trace",
      silent: "silent",
      none: "silent"
    };
  }
});

// src/datastore/common.ts
import { randomUUID } from "node:crypto";
function describeObject(kind, name, namespace) {
  return namespace ? `${kind} "${namespace}/${name}"` : `${kind} "${name}"`;
}
function requireKind(kind) {
  const info = kindInfo(kind);
  if (!info) throw new DatastoreError("Invalid", `unknown resource kind "${kind}"`);
  return info;
}
function checkWritable(obj2) {
  if (!obj2 || typeof obj2 !== "object" || !obj2.metadata || typeof obj2.metadata !== "object") {
    throw new DatastoreError("Invalid", "object has no metadata");
  }
  const info = requireKind(obj2.kind);
  const { name, namespace } = obj2.metadata;
  checkName(info, name, namespace);
  if (info.namespaced && !namespace) {
    throw new DatastoreError("Invalid", `${describeObject(obj2.kind, name)} is namespaced: metadata.namespace is required`);
  }
  if (!info.namespaced && namespace) {
    throw new DatastoreError("Invalid", `${obj2.kind} is cluster-scoped: ${describeObject(obj2.kind, name, namespace)} must not set metadata.namespace`);
  }
  return info;
}
function checkName(info, name, namespace) {
  if (typeof name !== "string" || name === "") throw new DatastoreError("Invalid", `${info.kind} needs a non-empty metadata.name`);
  if (name.includes("/")) throw new DatastoreError("Invalid", `${info.kind} name "${name}" must not contain "/"`);
  if (namespace !== void 0 && namespace.includes("/")) {
    throw new DatastoreError("Invalid", `namespace "${namespace}" must not contain "/"`);
  }
}
function effectiveNamespace(info, namespace) {
  return info.namespaced ? namespace || void 0 : void 0;
}
function nowTimestamp() {
  return (/* @__PURE__ */ new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
}
function stampCreate(obj2) {
  const copy = structuredClone(obj2);
  copy.metadata.uid ||= randomUUID();
  copy.metadata.creationTimestamp ||= nowTimestamp();
  return copy;
}
function carryIdentity(obj2, stored) {
  const copy = structuredClone(obj2);
  if (stored.metadata.uid !== void 0) copy.metadata.uid = stored.metadata.uid;
  if (stored.metadata.creationTimestamp !== void 0) copy.metadata.creationTimestamp = stored.metadata.creationTimestamp;
  return copy;
}
function notFound2(kind, name, namespace) {
  return new DatastoreError("NotFound", `${describeObject(kind, name, namespace)} not found`);
}
function alreadyExists(kind, name, namespace) {
  return new DatastoreError("AlreadyExists", `${describeObject(kind, name, namespace)} already exists`);
}
function conflict(kind, name, namespace, have, store) {
  return new DatastoreError("Conflict", `${describeObject(kind, name, namespace)} was modified (have resourceVersion ${have}, store ${store})`);
}
function missingResourceVersion(kind, name, namespace) {
  return new DatastoreError("Invalid", `update of ${describeObject(kind, name, namespace)} needs metadata.resourceVersion`);
}
var init_common = __esm({
  "src/datastore/common.ts"() {
    "use strict";
    init_kinds();
    init_types();
  }
});

// src/datastore/embedded.ts
var embedded_exports = {};
__export(embedded_exports, {
  EmbeddedDatastore: () => EmbeddedDatastore
});
import Database from "better-sqlite3";
import { mkdirSync, watch as fsWatch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
function sqliteCode(err2) {
  return err2 && typeof err2 === "object" && "code" in err2 && typeof err2.code === "string" ? err2.code : void 0;
}
var log, SCHEMA, PRUNE_EVERY, WATCH_BATCH, EmbeddedDatastore, EmbeddedWatch, ChangeNotifier;
var init_embedded = __esm({
  "src/datastore/embedded.ts"() {
    "use strict";
    init_log();
    init_common();
    init_types();
    log = createLogger("datastore");
    SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', 1), ('revision', 0), ('compacted', 0);
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
  mod_revision INTEGER NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  revision INTEGER PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL
);
`;
    PRUNE_EVERY = 256;
    WATCH_BATCH = 1e3;
    EmbeddedDatastore = class {
      type = "embedded";
      path;
      db;
      historyLimit;
      pollIntervalMs;
      watches = /* @__PURE__ */ new Set();
      notifier;
      closed = false;
      stmt;
      constructor(path6, opts = {}) {
        this.path = resolve(path6);
        this.historyLimit = opts.historyLimit ?? 2e4;
        this.pollIntervalMs = opts.pollIntervalMs ?? 50;
        try {
          mkdirSync(dirname(this.path), { recursive: true });
          this.db = new Database(this.path, { timeout: opts.busyTimeoutMs ?? 1e4 });
        } catch (err2) {
          throw new DatastoreError("Unavailable", `cannot open embedded datastore ${this.path}: ${err2.message}`);
        }
        try {
          this.initSchema();
          this.stmt = {
            getMeta: this.db.prepare("SELECT value FROM meta WHERE key = ?"),
            setMeta: this.db.prepare("UPDATE meta SET value = ? WHERE key = ?"),
            getObject: this.db.prepare("SELECT mod_revision, value FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
            putObject: this.db.prepare("INSERT OR REPLACE INTO objects (kind, namespace, name, mod_revision, value) VALUES (?, ?, ?, ?, ?)"),
            deleteObject: this.db.prepare("DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
            insertEvent: this.db.prepare("INSERT INTO events (revision, type, kind, value) VALUES (?, ?, ?, ?)"),
            pruneEvents: this.db.prepare("DELETE FROM events WHERE revision <= ?"),
            eventsAfter: this.db.prepare("SELECT revision, type, kind, value FROM events WHERE revision > ? AND revision <= ? ORDER BY revision LIMIT ?")
          };
        } catch (err2) {
          this.db.close();
          if (err2 instanceof DatastoreError) throw err2;
          throw new DatastoreError("Unavailable", `cannot use embedded datastore ${this.path}: ${err2.message}`);
        }
      }
      /**
       * WAL lets readers run while one process writes; NORMAL sync is durable across process crashes (the
       * only kind a CNI invocation or agent restart causes). Many processes may open a fresh file at once,
       * so the one-time switch to WAL and the schema creation retry while another process holds the lock.
       */
      initSchema() {
        const deadline = Date.now() + 1e4;
        for (; ; ) {
          try {
            if (this.db.pragma("journal_mode", { simple: true }) !== "wal") this.db.pragma("journal_mode = WAL");
            this.db.pragma("synchronous = NORMAL");
            this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
            return;
          } catch (err2) {
            if (sqliteCode(err2) !== "SQLITE_BUSY" || Date.now() > deadline) throw err2;
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
          }
        }
      }
      meta(key) {
        return this.stmt.getMeta.get(key).value;
      }
      /** Runs `fn` as one exclusive write transaction; SQLite failures become Unavailable with the file named. */
      write(fn) {
        this.checkOpen();
        let result;
        try {
          result = this.db.transaction(fn).immediate();
        } catch (err2) {
          throw this.wrap(err2, "write to");
        }
        this.notifier?.localChange();
        return result;
      }
      read(fn) {
        this.checkOpen();
        try {
          return this.db.transaction(fn).deferred();
        } catch (err2) {
          throw this.wrap(err2, "read");
        }
      }
      wrap(err2, what) {
        if (err2 instanceof DatastoreError) return err2;
        const code = sqliteCode(err2);
        const hint = code === "SQLITE_BUSY" ? " (another process held the database lock too long)" : "";
        return new DatastoreError("Unavailable", `cannot ${what} embedded datastore ${this.path}: ${err2.message}${hint}`);
      }
      checkOpen() {
        if (this.closed) throw new DatastoreError("Unavailable", `embedded datastore ${this.path} is closed`);
      }
      /** Appends the event for a write at `rev`, advances the revision, and trims old history now and then. */
      record(rev2, type, kind, value) {
        this.stmt.insertEvent.run(rev2, type, kind, value);
        this.stmt.setMeta.run(rev2, "revision");
        if (rev2 % PRUNE_EVERY === 0 && rev2 > this.historyLimit) {
          const dropTo = rev2 - this.historyLimit;
          if (dropTo > this.meta("compacted")) {
            this.stmt.pruneEvents.run(dropTo);
            this.stmt.setMeta.run(dropTo, "compacted");
          }
        }
      }
      async get(kind, name, namespace) {
        const info = requireKind(kind);
        checkName(info, name, namespace);
        const row2 = this.read(() => this.stmt.getObject.get(kind, effectiveNamespace(info, namespace) ?? "", name));
        return row2 ? JSON.parse(row2.value) : void 0;
      }
      async list(kind, opts = {}) {
        const info = requireKind(kind);
        const ns = effectiveNamespace(info, opts.namespace);
        let sql = "SELECT value FROM objects WHERE kind = ?";
        const args = [kind];
        if (ns !== void 0) {
          sql += " AND namespace = ?";
          args.push(ns);
        }
        if (opts.namePrefix) {
          sql += " AND substr(name, 1, length(?)) = ?";
          args.push(opts.namePrefix, opts.namePrefix);
        }
        sql += " ORDER BY namespace, name";
        return this.read(() => {
          const rows = this.db.prepare(sql).all(...args);
          return { items: rows.map((r) => JSON.parse(r.value)), revision: this.meta("revision") };
        });
      }
      async create(obj2) {
        checkWritable(obj2);
        const { kind } = obj2;
        const { name } = obj2.metadata;
        const ns = obj2.metadata.namespace ?? "";
        const stored = stampCreate(obj2);
        return this.write(() => {
          if (this.stmt.getObject.get(kind, ns, name)) throw alreadyExists(kind, name, obj2.metadata.namespace);
          const rev2 = this.meta("revision") + 1;
          stored.metadata.resourceVersion = String(rev2);
          const value = JSON.stringify(stored);
          this.stmt.putObject.run(kind, ns, name, rev2, value);
          this.record(rev2, "added", kind, value);
          return stored;
        });
      }
      async update(obj2) {
        checkWritable(obj2);
        const { kind } = obj2;
        const { name, namespace, resourceVersion } = obj2.metadata;
        const ns = namespace ?? "";
        return this.write(() => {
          const cur = this.stmt.getObject.get(kind, ns, name);
          if (!cur) throw notFound2(kind, name, namespace);
          if (resourceVersion === void 0 || resourceVersion === "") throw missingResourceVersion(kind, name, namespace);
          if (String(cur.mod_revision) !== resourceVersion) throw conflict(kind, name, namespace, resourceVersion, cur.mod_revision);
          const stored = carryIdentity(obj2, JSON.parse(cur.value));
          const rev2 = this.meta("revision") + 1;
          stored.metadata.resourceVersion = String(rev2);
          const value = JSON.stringify(stored);
          this.stmt.putObject.run(kind, ns, name, rev2, value);
          this.record(rev2, "modified", kind, value);
          return stored;
        });
      }
      async delete(kind, name, namespace, resourceVersion) {
        const info = requireKind(kind);
        checkName(info, name, namespace);
        const ns = effectiveNamespace(info, namespace);
        return this.write(() => {
          const cur = this.stmt.getObject.get(kind, ns ?? "", name);
          if (!cur) throw notFound2(kind, name, ns);
          if (resourceVersion !== void 0 && String(cur.mod_revision) !== resourceVersion) {
            throw conflict(kind, name, ns, resourceVersion, cur.mod_revision);
          }
          this.stmt.deleteObject.run(kind, ns ?? "", name);
          this.record(this.meta("revision") + 1, "deleted", kind, cur.value);
          return JSON.parse(cur.value);
        });
      }
      async revision() {
        return this.read(() => this.meta("revision"));
      }
      /** Drops watch history up to and including `rev` (what the retention limit does by itself). For tests and maintenance. */
      async compact(rev2) {
        this.write(() => {
          const target = Math.min(rev2, this.meta("revision"));
          if (target <= this.meta("compacted")) return;
          this.stmt.pruneEvents.run(target);
          this.stmt.setMeta.run(target, "compacted");
        });
      }
      watch(opts, onEvent, onError) {
        this.checkOpen();
        const w = new EmbeddedWatch(this, opts, onEvent, onError);
        this.watches.add(w);
        this.notifier ??= new ChangeNotifier(this.db, this.path, this.pollIntervalMs, () => this.pumpAll());
        setImmediate(() => w.pump());
        return w;
      }
      /** @internal Called by a watch when it ends. */
      forget(w) {
        this.watches.delete(w);
        if (this.watches.size === 0 && this.notifier) {
          this.notifier.stop();
          this.notifier = void 0;
        }
      }
      pumpAll() {
        for (const w of [...this.watches]) w.pump();
      }
      /**
       * @internal One consistent read of the events after `after`: the compaction point, the head revision,
       * and up to WATCH_BATCH events in (after, head].
       */
      readEvents(after) {
        return this.read(() => {
          const compacted = this.meta("compacted");
          const head = this.meta("revision");
          const rows = after < compacted ? [] : this.stmt.eventsAfter.all(after, head, WATCH_BATCH);
          return { compacted, head, rows };
        });
      }
      async close() {
        if (this.closed) return;
        for (const w of [...this.watches]) w.stop();
        this.closed = true;
        this.db.close();
      }
    };
    EmbeddedWatch = class {
      constructor(store, opts, onEvent, onError) {
        this.store = store;
        this.onEvent = onEvent;
        this.onError = onError;
        this.scanned = opts.fromRevision;
        this.kinds = opts.kinds ? new Set(opts.kinds) : void 0;
      }
      store;
      onEvent;
      onError;
      scanned;
      stopped = false;
      pumping = false;
      kinds;
      pump() {
        if (this.stopped || this.pumping) return;
        this.pumping = true;
        try {
          for (; ; ) {
            const { compacted, head, rows } = this.store.readEvents(this.scanned);
            if (this.scanned < compacted) {
              this.fail(new DatastoreError("Compacted", `revision ${this.scanned} has been compacted (history starts after ${compacted})`, compacted + 1));
              return;
            }
            for (const row2 of rows) {
              this.scanned = row2.revision;
              if (this.kinds && !this.kinds.has(row2.kind)) continue;
              this.onEvent({ type: row2.type, kind: row2.kind, object: JSON.parse(row2.value), revision: row2.revision });
              if (this.stopped) return;
            }
            if (rows.length < WATCH_BATCH) {
              this.scanned = Math.max(this.scanned, head);
              return;
            }
          }
        } catch (err2) {
          this.fail(err2 instanceof DatastoreError ? err2 : new DatastoreError("Unavailable", `watch failed: ${err2.message}`));
        } finally {
          this.pumping = false;
        }
      }
      fail(err2) {
        if (this.stopped) return;
        this.stop();
        this.onError(err2);
      }
      stop() {
        if (this.stopped) return;
        this.stopped = true;
        this.store.forget(this);
      }
    };
    ChangeNotifier = class {
      constructor(db, path6, pollIntervalMs, onChange) {
        this.db = db;
        this.onChange = onChange;
        this.dataVersion = this.readDataVersion();
        const base = basename(path6);
        try {
          this.fsWatcher = fsWatch(dirname(path6), { persistent: false }, (_event, file) => {
            if (!file || file.startsWith(base)) this.schedule();
          });
          this.fsWatcher.on("error", (err2) => {
            log.warn({ err: err2.message, path: path6 }, "inotify watch on datastore directory failed; relying on polling");
            this.fsWatcher?.close();
            this.fsWatcher = void 0;
          });
        } catch (err2) {
          log.warn({ err: err2.message, path: path6 }, "cannot watch datastore directory; relying on polling");
        }
        this.timer = setInterval(() => {
          const v = this.readDataVersion();
          if (v !== this.dataVersion) this.schedule();
        }, pollIntervalMs);
      }
      db;
      onChange;
      fsWatcher;
      timer;
      dataVersion;
      scheduled = false;
      stopped = false;
      readDataVersion() {
        try {
          return this.db.pragma("data_version", { simple: true });
        } catch {
          return this.dataVersion;
        }
      }
      localChange() {
        this.schedule();
      }
      schedule() {
        if (this.scheduled || this.stopped) return;
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          if (this.stopped) return;
          this.dataVersion = this.readDataVersion();
          this.onChange();
        });
      }
      stop() {
        this.stopped = true;
        clearInterval(this.timer);
        this.fsWatcher?.close();
      }
    };
  }
});

// src/datastore/etcd-keys.ts
function prefixRange(prefix) {
  return { key: prefix, rangeEnd: prefixEnd(prefix) };
}
function prefixEnd(prefix) {
  const b2 = Buffer.from(prefix);
  for (let i = b2.length - 1; i >= 0; i--) {
    if (b2[i] < 255) {
      const end = Buffer.from(b2.subarray(0, i + 1));
      end[i] += 1;
      return end;
    }
  }
  return Buffer.from([0]);
}
function family(cidrOrName) {
  return cidrOrName.includes(":") ? "ipv6" : "ipv4";
}
function encodeCidr(cidr2) {
  return cidr2.replace("/", "-");
}
function affinityName(node, cidr2) {
  return `${node}-${cidr2.replace(/[.:/]/g, "-")}`;
}
function affinitySpec(obj2) {
  const spec = obj2.spec;
  const node = spec?.node;
  const cidr2 = spec?.cidr;
  if (typeof node !== "string" || node === "" || node.includes("/")) {
    throw new DatastoreError("Invalid", `BlockAffinity "${obj2.metadata.name}" needs spec.node (a node name) for its etcd key`);
  }
  if (typeof cidr2 !== "string" || !/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(cidr2)) {
    throw new DatastoreError("Invalid", `BlockAffinity "${obj2.metadata.name}" needs spec.cidr (like 10.244.1.0/26) for its etcd key`);
  }
  return { node, cidr: cidr2 };
}
function ipamKind(kind) {
  return KINDS.find((k) => k.kind === kind);
}
var RESOURCES_ROOT, BLOCKS_ROOT, AFFINITIES_ROOT, HANDLES_ROOT, CALICO_ROOT, byPlural, EtcdKeys;
var init_etcd_keys = __esm({
  "src/datastore/etcd-keys.ts"() {
    "use strict";
    init_kinds();
    init_types();
    RESOURCES_ROOT = "/calico/resources/v3/projectcalico.org/";
    BLOCKS_ROOT = "/calico/ipam/v2/assignment/";
    AFFINITIES_ROOT = "/calico/ipam/v2/host/";
    HANDLES_ROOT = "/calico/ipam/v2/handle/";
    CALICO_ROOT = "/calico/";
    byPlural = new Map(KINDS.filter((k) => !k.ipam).map((k) => [k.plural, k]));
    EtcdKeys = class {
      constructor(prefix = "") {
        this.prefix = prefix;
      }
      prefix;
      /** The key an object is stored under (BlockAffinity: from its spec). */
      objectKey(info, obj2) {
        if (info.kind === "BlockAffinity") {
          const { node, cidr: cidr2 } = affinitySpec(obj2);
          return `${this.prefix}${AFFINITIES_ROOT}${node}/${family(cidr2)}/block/${encodeCidr(cidr2)}`;
        }
        return this.nameKey(info, obj2.metadata.name, obj2.metadata.namespace);
      }
      /**
       * The key for (kind, name, namespace). For a BlockAffinity this is only a guess from Calico's naming
       * convention (undefined when the name does not follow it): the caller must check the stored name.
       */
      nameKey(info, name, namespace) {
        const p = this.prefix;
        switch (info.kind) {
          case "IPAMBlock":
            return `${p}${BLOCKS_ROOT}${family(name)}/block/${name}`;
          case "IPAMHandle":
            return `${p}${HANDLES_ROOT}${name}`;
          case "BlockAffinity": {
            const m = /^(.+)-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,2})$/.exec(name);
            return m ? `${p}${AFFINITIES_ROOT}${m[1]}/ipv4/block/${m[2]}.${m[3]}.${m[4]}.${m[5]}-${m[6]}` : void 0;
          }
          default:
            return info.namespaced ? `${p}${RESOURCES_ROOT}${info.plural}/${namespace ?? ""}/${name}` : `${p}${RESOURCES_ROOT}${info.plural}/${name}`;
        }
      }
      /**
       * The range a list of `kind` reads, narrowed by namespace and name prefix where the layout allows
       * (the caller still filters each object by namespace and name prefix).
       */
      listRange(info, namespace, namePrefix = "") {
        const p = this.prefix;
        switch (info.kind) {
          case "IPAMBlock":
            return prefixRange(`${p}${BLOCKS_ROOT}`);
          case "BlockAffinity":
            return prefixRange(`${p}${AFFINITIES_ROOT}`);
          case "IPAMHandle":
            return prefixRange(`${p}${HANDLES_ROOT}${namePrefix}`);
          default:
            if (info.namespaced && namespace !== void 0) return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/${namespace}/${namePrefix}`);
            if (!info.namespaced) return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/${namePrefix}`);
            return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/`);
        }
      }
      /** The range every watch reads: all resources and IPAM objects. */
      watchRange() {
        return prefixRange(`${this.prefix}${CALICO_ROOT}`);
      }
      /**
       * What a key holds: the kind and, where the key says it, name and namespace (a BlockAffinity's name is
       * in its value). Undefined for keys Tabby does not store (other /calico/ trees, other prefixes).
       */
      parseKey(key) {
        if (!key.startsWith(this.prefix)) return void 0;
        const k = key.slice(this.prefix.length);
        if (k.startsWith(RESOURCES_ROOT)) {
          const parts = k.slice(RESOURCES_ROOT.length).split("/");
          const info = byPlural.get(parts[0]);
          if (!info) return void 0;
          if (info.namespaced && parts.length === 3 && parts[1] && parts[2]) return { info, namespace: parts[1], name: parts[2] };
          if (!info.namespaced && parts.length === 2 && parts[1]) return { info, name: parts[1] };
          return void 0;
        }
        if (k.startsWith(BLOCKS_ROOT)) {
          const m = /^ipv[46]\/block\/([^/]+)$/.exec(k.slice(BLOCKS_ROOT.length));
          return m ? { info: ipamKind("IPAMBlock"), name: m[1] } : void 0;
        }
        if (k.startsWith(AFFINITIES_ROOT)) {
          const m = /^([^/]+)\/ipv[46]\/block\/([^/]+)$/.exec(k.slice(AFFINITIES_ROOT.length));
          return m ? { info: ipamKind("BlockAffinity") } : void 0;
        }
        if (k.startsWith(HANDLES_ROOT)) {
          const name = k.slice(HANDLES_ROOT.length);
          return name && !name.includes("/") ? { info: ipamKind("IPAMHandle"), name } : void 0;
        }
        return void 0;
      }
    };
  }
});

// src/datastore/etcd.ts
var etcd_exports = {};
__export(etcd_exports, {
  EtcdDatastore: () => EtcdDatastore
});
import { readFileSync } from "node:fs";
import {
  Etcd3,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  GRPCResourceExhastedError,
  GRPCUnavailableError
} from "etcd3";
function passThrough() {
  const policy = {
    execute: (fn, signal) => Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal })),
    onSuccess: () => ({ dispose() {
    } }),
    onFailure: () => ({ dispose() {
    } })
  };
  return policy;
}
function failoverPolicy(extraAttempts) {
  const policy = {
    execute: async (fn, signal) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn({ signal: signal ?? new AbortController().signal });
        } catch (err2) {
          if (attempt >= extraAttempts || !isConnectionRefused(err2)) throw err2;
        }
      }
    },
    onSuccess: () => ({ dispose() {
    } }),
    onFailure: () => ({ dispose() {
    } })
  };
  return policy;
}
function isConnectionRefused(err2) {
  const msg = err2 instanceof Error ? err2.message : String(err2);
  return err2 instanceof GRPCUnavailableError && /ECONNREFUSED|No connection established|connect|Connection dropped/i.test(msg);
}
function readCredential(file, what) {
  try {
    return readFileSync(file);
  } catch (err2) {
    throw new DatastoreError("Invalid", `cannot read ${what} ${file}: ${err2.message}`);
  }
}
function rev(s2) {
  return Number(s2);
}
var log2, EtcdDatastore, MIN_BACKOFF_MS, MAX_BACKOFF_MS, EtcdWatch;
var init_etcd = __esm({
  "src/datastore/etcd.ts"() {
    "use strict";
    init_log();
    init_common();
    init_etcd_keys();
    init_types();
    log2 = createLogger("datastore");
    EtcdDatastore = class {
      type = "etcdv3";
      keys;
      client;
      endpoints;
      watches = /* @__PURE__ */ new Set();
      closed = false;
      constructor(opts) {
        if (!opts.endpoints.length) throw new DatastoreError("Invalid", "etcdv3 datastore needs at least one endpoint");
        this.endpoints = opts.endpoints;
        this.keys = new EtcdKeys(opts.keyPrefix ?? "");
        const timeoutMs = opts.timeoutMs ?? 3e3;
        const options = {
          hosts: opts.endpoints,
          dialTimeout: timeoutMs,
          defaultCallOptions: (ctx) => ctx.isStream ? {} : { deadline: Date.now() + timeoutMs },
          faultHandling: { host: () => passThrough(), global: failoverPolicy(opts.endpoints.length - 1) },
          // Notice a dead peer under an open watch stream in well under a minute rather than the OS TCP timeout
          // (etcd refuses pings more often than every 5 s, and any ping when no call is open).
          grpcOptions: { "grpc.keepalive_time_ms": 3e4, "grpc.keepalive_timeout_ms": 1e4 }
        };
        const tls = opts.endpoints.some((e) => e.startsWith("https://")) || opts.caCertFile || opts.certFile || opts.keyFile;
        if (tls) {
          if (!!opts.certFile !== !!opts.keyFile) {
            throw new DatastoreError("Invalid", "etcd client certificate needs both etcdCertFile and etcdKeyFile");
          }
          options.credentials = {
            rootCertificate: opts.caCertFile ? readCredential(opts.caCertFile, "etcdCACertFile") : void 0,
            privateKey: opts.keyFile ? readCredential(opts.keyFile, "etcdKeyFile") : void 0,
            certChain: opts.certFile ? readCredential(opts.certFile, "etcdCertFile") : void 0
          };
        }
        this.client = new Etcd3(options);
      }
      /** Runs one etcd call, turning transport failures into Unavailable that names the endpoints. */
      async call(what, fn) {
        if (this.closed) throw new DatastoreError("Unavailable", "etcd datastore is closed");
        try {
          return await fn();
        } catch (err2) {
          throw this.mapError(err2, what);
        }
      }
      mapError(err2, what) {
        if (err2 instanceof DatastoreError) return err2;
        const msg = err2 instanceof Error ? err2.message : String(err2);
        if (err2 instanceof GRPCInvalidArgumentError || err2 instanceof GRPCResourceExhastedError) {
          return new DatastoreError("Invalid", `etcd rejected ${what}: ${msg}`);
        }
        const why = err2 instanceof GRPCDeadlineExceededError ? "no answer before the deadline" : msg;
        return new DatastoreError("Unavailable", `etcd unreachable at ${this.endpoints.join(",")} (${what}): ${why}`);
      }
      toObject(kv) {
        const obj2 = JSON.parse(kv.value.toString());
        obj2.metadata.resourceVersion = String(rev(kv.mod_revision));
        return obj2;
      }
      encode(obj2) {
        const copy = structuredClone(obj2);
        delete copy.metadata.resourceVersion;
        return Buffer.from(JSON.stringify(copy));
      }
      range(r, what) {
        return this.call(what, () => this.client.kv.range({ key: Buffer.from(r.key), range_end: r.rangeEnd }));
      }
      getKey(key, what) {
        return this.call(what, () => this.client.kv.range({ key: Buffer.from(key) }));
      }
      /** Finds the stored key-value of (kind, name, namespace); a BlockAffinity not at its conventional key is searched for. */
      async locate(info, name, namespace, what) {
        const guess = this.keys.nameKey(info, name, namespace);
        if (guess !== void 0) {
          const kv = (await this.getKey(guess, what)).kvs[0];
          if (info.kind !== "BlockAffinity") return kv;
          if (kv && this.toObject(kv).metadata.name === name) return kv;
        }
        const all = await this.range(this.keys.listRange(info), what);
        return all.kvs.find((kv) => this.keys.parseKey(kv.key.toString()) && this.toObject(kv).metadata.name === name);
      }
      async get(kind, name, namespace) {
        const info = requireKind(kind);
        checkName(info, name, namespace);
        const kv = await this.locate(info, name, effectiveNamespace(info, namespace), `get ${kind}`);
        return kv ? this.toObject(kv) : void 0;
      }
      async list(kind, opts = {}) {
        const info = requireKind(kind);
        const ns = effectiveNamespace(info, opts.namespace);
        const res = await this.range(this.keys.listRange(info, ns, opts.namePrefix), `list ${kind}`);
        const items = [];
        for (const kv of res.kvs) {
          const parsed = this.keys.parseKey(kv.key.toString());
          if (!parsed || parsed.info.kind !== kind) continue;
          if (ns !== void 0 && parsed.namespace !== ns) continue;
          const obj2 = this.toObject(kv);
          if (opts.namePrefix && !obj2.metadata.name.startsWith(opts.namePrefix)) continue;
          items.push(obj2);
        }
        return { items, revision: rev(res.header.revision) };
      }
      async create(obj2) {
        const info = checkWritable(obj2);
        const { name, namespace } = obj2.metadata;
        const stored = stampCreate(obj2);
        const key = Buffer.from(this.keys.objectKey(info, stored));
        if (info.kind === "BlockAffinity" && await this.locate(info, name, void 0, `create ${obj2.kind}`)) {
          throw alreadyExists(obj2.kind, name);
        }
        const res = await this.call(`create ${obj2.kind}`, () => this.client.kv.txn({
          compare: [{ key, target: "Create", result: "Equal", create_revision: 0 }],
          success: [{ request_put: { key, value: this.encode(stored) } }],
          failure: []
        }));
        if (!res.succeeded) throw alreadyExists(obj2.kind, name, namespace);
        stored.metadata.resourceVersion = String(rev(res.header.revision));
        return stored;
      }
      async update(obj2) {
        const info = checkWritable(obj2);
        const { name, namespace, resourceVersion, uid, creationTimestamp } = obj2.metadata;
        const what = `update ${obj2.kind}`;
        if (info.kind !== "BlockAffinity" && uid && creationTimestamp && resourceVersion && /^[1-9]\d*$/.test(resourceVersion)) {
          const key2 = Buffer.from(this.keys.objectKey(info, obj2));
          const res2 = await this.call(what, () => this.client.kv.txn({
            compare: [{ key: key2, target: "Mod", result: "Equal", mod_revision: resourceVersion }],
            success: [{ request_put: { key: key2, value: this.encode(obj2), prev_kv: true } }],
            failure: [{ request_range: { key: key2 } }]
          }));
          if (!res2.succeeded) {
            const now = res2.responses[0]?.response_range?.kvs?.[0];
            if (!now) throw notFound2(obj2.kind, name, namespace);
            throw conflict(obj2.kind, name, namespace, resourceVersion, rev(now.mod_revision));
          }
          const written = structuredClone(obj2);
          written.metadata.resourceVersion = String(rev(res2.header.revision));
          const prev = res2.responses[0]?.response_put?.prev_kv;
          const before = prev ? this.toObject(prev) : void 0;
          if (!before || before.metadata.uid === uid && before.metadata.creationTimestamp === creationTimestamp) return written;
          const fixed = carryIdentity(written, before);
          const again = await this.call(what, () => this.client.kv.txn({
            compare: [{ key: key2, target: "Mod", result: "Equal", mod_revision: res2.header.revision }],
            success: [{ request_put: { key: key2, value: this.encode(fixed) } }],
            failure: []
          }));
          if (!again.succeeded) throw conflict(obj2.kind, name, namespace, written.metadata.resourceVersion, "changed meanwhile");
          fixed.metadata.resourceVersion = String(rev(again.header.revision));
          return fixed;
        }
        const cur = await this.locate(info, name, namespace, what);
        if (!cur) throw notFound2(obj2.kind, name, namespace);
        if (resourceVersion === void 0 || resourceVersion === "") throw missingResourceVersion(obj2.kind, name, namespace);
        if (String(rev(cur.mod_revision)) !== resourceVersion) throw conflict(obj2.kind, name, namespace, resourceVersion, rev(cur.mod_revision));
        const stored = carryIdentity(obj2, this.toObject(cur));
        if (this.keys.objectKey(info, stored) !== cur.key.toString()) {
          throw new DatastoreError("Invalid", `${obj2.kind} "${name}": spec.node and spec.cidr cannot change (they are its etcd key)`);
        }
        const key = cur.key;
        const res = await this.call(what, () => this.client.kv.txn({
          compare: [{ key, target: "Mod", result: "Equal", mod_revision: cur.mod_revision }],
          success: [{ request_put: { key, value: this.encode(stored) } }],
          failure: [{ request_range: { key } }]
        }));
        if (!res.succeeded) {
          const now = res.responses[0]?.response_range?.kvs?.[0];
          if (!now) throw notFound2(obj2.kind, name, namespace);
          throw conflict(obj2.kind, name, namespace, resourceVersion, rev(now.mod_revision));
        }
        stored.metadata.resourceVersion = String(rev(res.header.revision));
        return stored;
      }
      async delete(kind, name, namespace, resourceVersion) {
        const info = requireKind(kind);
        checkName(info, name, namespace);
        const ns = effectiveNamespace(info, namespace);
        const what = `delete ${kind}`;
        const cur = await this.locate(info, name, ns, what);
        if (!cur) throw notFound2(kind, name, ns);
        if (resourceVersion !== void 0 && String(rev(cur.mod_revision)) !== resourceVersion) {
          throw conflict(kind, name, ns, resourceVersion, rev(cur.mod_revision));
        }
        const key = cur.key;
        const res = await this.call(what, () => this.client.kv.txn({
          compare: [{ key, target: "Mod", result: "Equal", mod_revision: cur.mod_revision }],
          success: [{ request_delete_range: { key, prev_kv: true } }],
          failure: [{ request_range: { key } }]
        }));
        if (!res.succeeded) {
          const now = res.responses[0]?.response_range?.kvs?.[0];
          if (!now) throw notFound2(kind, name, ns);
          if (resourceVersion !== void 0) throw conflict(kind, name, ns, resourceVersion, rev(now.mod_revision));
          return this.delete(kind, name, namespace);
        }
        const del = res.responses[0]?.response_delete_range;
        const prev = del?.prev_kvs?.[0];
        return prev ? this.toObject(prev) : this.toObject(cur);
      }
      async revision() {
        const res = await this.call("read revision", () => this.client.kv.range({ key: Buffer.from(`${this.keys.prefix}/calico/`), limit: 1, count_only: true }));
        return rev(res.header.revision);
      }
      /** Compacts etcd's history up to `revision` (cluster-wide: tests and maintenance only). */
      async compact(revision) {
        await this.call("compact", () => this.client.kv.compact({ revision, physical: true }));
      }
      watch(opts, onEvent, onError) {
        if (this.closed) throw new DatastoreError("Unavailable", "etcd datastore is closed");
        const w = new EtcdWatch(this, this.client, opts, onEvent, onError, () => this.watches.delete(w));
        this.watches.add(w);
        w.start();
        return w;
      }
      /** @internal A watch event for `kv` (or undefined for keys Tabby does not store). */
      eventFor(type, kv, prev) {
        const parsed = this.keys.parseKey(kv.key.toString());
        if (!parsed) return void 0;
        const revision = rev(kv.mod_revision);
        const kind = parsed.info.kind;
        if (type === "Put") {
          const object2 = this.toObject(kv);
          return { type: rev(kv.create_revision) === revision ? "added" : "modified", kind, object: object2, revision };
        }
        let object;
        if (prev && prev.value?.length) {
          object = this.toObject(prev);
        } else {
          const [, node, , cidr2] = /ipam\/v2\/host\/([^/]+)\/(ipv[46])\/block\/([^/]+)$/.exec(kv.key.toString()) ?? [];
          const name = parsed.name ?? (node && cidr2 ? affinityName(node, cidr2.replace(/-(\d+)$/, "/$1")) : "");
          object = { apiVersion: "projectcalico.org/v3", kind, metadata: { name, ...parsed.namespace ? { namespace: parsed.namespace } : {} } };
        }
        return { type: "deleted", kind, object, revision };
      }
      /** @internal */
      describeEndpoints() {
        return this.endpoints.join(",");
      }
      async close() {
        if (this.closed) return;
        for (const w of [...this.watches]) w.stop();
        this.closed = true;
        this.client.close();
      }
    };
    MIN_BACKOFF_MS = 100;
    MAX_BACKOFF_MS = 3e3;
    EtcdWatch = class {
      constructor(store, client, opts, onEvent, onError, onEnd) {
        this.store = store;
        this.client = client;
        this.onEvent = onEvent;
        this.onError = onError;
        this.onEnd = onEnd;
        this.delivered = opts.fromRevision;
        this.kinds = opts.kinds ? new Set(opts.kinds) : void 0;
      }
      store;
      client;
      onEvent;
      onError;
      onEnd;
      delivered;
      stream;
      stopped = false;
      backoffMs = MIN_BACKOFF_MS;
      retryTimer;
      kinds;
      wasDown = false;
      start() {
        void this.connect();
      }
      async connect() {
        this.retryTimer = void 0;
        if (this.stopped) return;
        let stream;
        try {
          stream = await this.client.watchClient.watch();
        } catch (err2) {
          this.down(err2);
          return;
        }
        if (this.stopped) {
          stream.cancel();
          return;
        }
        this.stream = stream;
        stream.on("data", (res) => {
          if (this.stream === stream) this.handle(res);
        });
        stream.on("error", (err2) => {
          if (this.stream === stream) this.down(err2);
        });
        stream.on("end", () => {
          if (this.stream === stream) this.down(new Error("watch stream ended"));
        });
        const r = this.store.keys.watchRange();
        stream.write({
          create_request: { key: Buffer.from(r.key), range_end: r.rangeEnd, start_revision: this.delivered + 1, prev_kv: true }
        });
      }
      handle(res) {
        if (this.stopped) return;
        if (res.compact_revision && res.compact_revision !== "0") {
          const oldest = rev(res.compact_revision);
          this.fail(new DatastoreError("Compacted", `revision ${this.delivered} has been compacted (etcd history starts at ${oldest})`, oldest));
          return;
        }
        if (res.canceled) {
          this.fail(new DatastoreError("Unavailable", `etcd at ${this.store.describeEndpoints()} cancelled the watch: ${res.cancel_reason || "no reason given"}`));
          return;
        }
        if (res.created) {
          this.backoffMs = MIN_BACKOFF_MS;
          if (this.wasDown) log2.info({ fromRevision: this.delivered + 1 }, "etcd watch resumed");
          this.wasDown = false;
        }
        const floor = this.delivered;
        for (const e of res.events ?? []) {
          const revision = rev(e.kv.mod_revision);
          if (revision <= floor) continue;
          this.delivered = Math.max(this.delivered, revision);
          const ev = this.store.eventFor(e.type, e.kv, e.prev_kv);
          if (!ev || this.kinds && !this.kinds.has(ev.kind)) continue;
          this.onEvent(ev);
          if (this.stopped) return;
        }
      }
      down(err2) {
        if (this.stopped) return;
        const old = this.stream;
        this.stream = void 0;
        try {
          old?.cancel();
        } catch {
        }
        if (!this.wasDown) {
          log2.warn({ err: err2 instanceof Error ? err2.message : String(err2), endpoints: this.store.describeEndpoints() }, "etcd watch disconnected; retrying");
        }
        this.wasDown = true;
        this.retryTimer = setTimeout(() => void this.connect(), this.backoffMs);
        this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      }
      fail(err2) {
        this.stop();
        this.onError(err2);
      }
      stop() {
        if (this.stopped) return;
        this.stopped = true;
        if (this.retryTimer) clearTimeout(this.retryTimer);
        const s2 = this.stream;
        this.stream = void 0;
        try {
          s2?.cancel();
        } catch {
        }
        this.onEnd();
      }
    };
  }
});

// src/datastore/index.ts
var datastore_exports = {};
__export(datastore_exports, {
  DEFAULT_CONFIG_FILES: () => DEFAULT_CONFIG_FILES,
  DEFAULT_EMBEDDED_PATH: () => DEFAULT_EMBEDDED_PATH,
  DEFAULT_ETCD_ENDPOINT: () => DEFAULT_ETCD_ENDPOINT,
  DatastoreError: () => DatastoreError,
  isDatastoreError: () => isDatastoreError,
  openDatastore: () => openDatastore,
  readConfigFile: () => readConfigFile,
  resolveDatastoreConfig: () => resolveDatastoreConfig,
  withRetryOnConflict: () => withRetryOnConflict
});
import { existsSync, readFileSync as readFileSync2 } from "node:fs";
function parseType(value, source) {
  if (value === "embedded" || value === "etcdv3") return value;
  if (value === "kubernetes") {
    throw new DatastoreError("Invalid", `${source}: datastore type "kubernetes" is not supported by Tabby (use "embedded" or "etcdv3")`);
  }
  throw new DatastoreError("Invalid", `${source}: unknown datastore type ${JSON.stringify(value)} (use "embedded" or "etcdv3")`);
}
function parseEndpoints(value, source) {
  const raw = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : void 0;
  if (!raw) throw new DatastoreError("Invalid", `${source}: etcd endpoints must be a comma-separated string or a list`);
  const out3 = [];
  for (const item of raw) {
    if (typeof item !== "string") throw new DatastoreError("Invalid", `${source}: etcd endpoint ${JSON.stringify(item)} is not a string`);
    const s2 = item.trim();
    if (!s2) continue;
    const withScheme = /^[a-z]+:\/\//i.test(s2) ? s2 : `http://${s2}`;
    let url;
    try {
      url = new URL(withScheme);
    } catch {
      throw new DatastoreError("Invalid", `${source}: etcd endpoint "${s2}" is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new DatastoreError("Invalid", `${source}: etcd endpoint "${s2}" must use http:// or https://`);
    }
    if (!url.hostname) throw new DatastoreError("Invalid", `${source}: etcd endpoint "${s2}" has no host`);
    out3.push(`${url.protocol}//${url.host}`);
  }
  if (!out3.length) throw new DatastoreError("Invalid", `${source}: no etcd endpoints given`);
  return out3;
}
function optionalString(value, field, source) {
  if (value === void 0 || value === null || value === "") return void 0;
  if (typeof value !== "string") throw new DatastoreError("Invalid", `${source}: ${field} must be a string`);
  return value;
}
function readConfigFile(file) {
  let text;
  try {
    text = readFileSync2(file, "utf8");
  } catch (err2) {
    throw new DatastoreError("Invalid", `cannot read datastore config file ${file}: ${err2.message}`);
  }
  let doc;
  try {
    doc = (0, import_yaml.parse)(text);
  } catch (err2) {
    throw new DatastoreError("Invalid", `malformed datastore config file ${file}: ${err2.message.split("\n")[0]}`);
  }
  const source = `config file ${file}`;
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    throw new DatastoreError("Invalid", `malformed datastore config file ${file}: expected a CalicoAPIConfig document`);
  }
  const d = doc;
  if (d.apiVersion !== "projectcalico.org/v3" || d.kind !== "CalicoAPIConfig") {
    throw new DatastoreError("Invalid", `${source}: expected apiVersion projectcalico.org/v3 and kind CalicoAPIConfig, got ${String(d.apiVersion)} ${String(d.kind)}`);
  }
  if (d.spec === void 0 || d.spec === null) return {};
  if (typeof d.spec !== "object" || Array.isArray(d.spec)) throw new DatastoreError("Invalid", `${source}: spec must be a mapping`);
  const spec = d.spec;
  const layer = {};
  if (spec.datastoreType !== void 0 && spec.datastoreType !== "") layer.type = parseType(spec.datastoreType, `${source} spec.datastoreType`);
  if (spec.etcdEndpoints !== void 0 && spec.etcdEndpoints !== "") layer.etcdEndpoints = parseEndpoints(spec.etcdEndpoints, `${source} spec.etcdEndpoints`);
  layer.path = optionalString(spec.datastorePath, "spec.datastorePath", source);
  layer.etcdKeyPrefix = optionalString(spec.etcdKeyPrefix, "spec.etcdKeyPrefix", source);
  layer.etcdKeyFile = optionalString(spec.etcdKeyFile, "spec.etcdKeyFile", source);
  layer.etcdCertFile = optionalString(spec.etcdCertFile, "spec.etcdCertFile", source);
  layer.etcdCACertFile = optionalString(spec.etcdCACertFile, "spec.etcdCACertFile", source);
  return layer;
}
function envLayer(env) {
  const layer = {};
  if (env.DATASTORE_TYPE) layer.type = parseType(env.DATASTORE_TYPE, "DATASTORE_TYPE");
  if (env.ETCD_ENDPOINTS) layer.etcdEndpoints = parseEndpoints(env.ETCD_ENDPOINTS, "ETCD_ENDPOINTS");
  layer.path = env.TABBY_DATASTORE_PATH || void 0;
  layer.etcdKeyPrefix = env.TABBY_ETCD_KEY_PREFIX || void 0;
  layer.etcdKeyFile = env.ETCD_KEY_FILE || void 0;
  layer.etcdCertFile = env.ETCD_CERT_FILE || void 0;
  layer.etcdCACertFile = env.ETCD_CA_CERT_FILE || void 0;
  return layer;
}
function flagLayer(o) {
  const layer = { ...o };
  if (o.type !== void 0) layer.type = parseType(o.type, "datastore type flag");
  if (o.etcdEndpoints !== void 0) layer.etcdEndpoints = parseEndpoints(o.etcdEndpoints, "etcd endpoints flag");
  return layer;
}
function resolveDatastoreConfig(opts = {}) {
  const env = opts.env ?? process.env;
  const file = opts.configFile ?? DEFAULT_CONFIG_FILES.find((f) => existsSync(f));
  const layers = [flagLayer(opts.overrides ?? {}), envLayer(env), file ? readConfigFile(file) : {}];
  const pick = (k) => {
    for (const l of layers) if (l[k] !== void 0) return l[k];
    return void 0;
  };
  const endpoints = pick("etcdEndpoints");
  const type = pick("type") ?? (endpoints ? "etcdv3" : "embedded");
  if (type === "embedded") {
    return { type, path: pick("path") ?? DEFAULT_EMBEDDED_PATH };
  }
  const cfg = { type, etcdEndpoints: endpoints ?? [DEFAULT_ETCD_ENDPOINT] };
  for (const k of ["etcdKeyPrefix", "etcdCACertFile", "etcdCertFile", "etcdKeyFile"]) {
    const v = pick(k);
    if (v !== void 0) cfg[k] = v;
  }
  return cfg;
}
async function openDatastore(cfg = resolveDatastoreConfig()) {
  switch (cfg.type) {
    case "embedded": {
      const { EmbeddedDatastore: EmbeddedDatastore2 } = await Promise.resolve().then(() => (init_embedded(), embedded_exports));
      return new EmbeddedDatastore2(cfg.path ?? DEFAULT_EMBEDDED_PATH);
    }
    case "etcdv3": {
      const { EtcdDatastore: EtcdDatastore2 } = await Promise.resolve().then(() => (init_etcd(), etcd_exports));
      return new EtcdDatastore2({
        endpoints: cfg.etcdEndpoints?.length ? cfg.etcdEndpoints : [DEFAULT_ETCD_ENDPOINT],
        keyPrefix: cfg.etcdKeyPrefix,
        caCertFile: cfg.etcdCACertFile,
        certFile: cfg.etcdCertFile,
        keyFile: cfg.etcdKeyFile
      });
    }
    default:
      throw new DatastoreError("Invalid", `unknown datastore type ${JSON.stringify(cfg.type)}`);
  }
}
async function withRetryOnConflict(fn, attempts = 100) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err2) {
      if (!isDatastoreError(err2, "Conflict") || attempt >= attempts) throw err2;
      if (attempt >= 3) {
        const capMs = Math.min(50, 2 ** (attempt - 2));
        await new Promise((r) => setTimeout(r, Math.random() * capMs));
      }
    }
  }
}
var import_yaml, DEFAULT_EMBEDDED_PATH, DEFAULT_CONFIG_FILES, DEFAULT_ETCD_ENDPOINT;
var init_datastore = __esm({
  "src/datastore/index.ts"() {
    "use strict";
    import_yaml = __toESM(require_dist(), 1);
    init_types();
    init_types();
    DEFAULT_EMBEDDED_PATH = "/var/lib/tabby/datastore.db";
    DEFAULT_CONFIG_FILES = ["/etc/tabby/tabby.cfg", "/etc/calico/calicoctl.cfg"];
    DEFAULT_ETCD_ENDPOINT = "http://127.0.0.1:2379";
  }
});

// src/policy/cidr.ts
import { isIPv4, isIPv6 } from "node:net";
function v4ToBig(ip) {
  return ip.split(".").reduce((acc, p) => acc << 8n | BigInt(Number(p)), 0n);
}
function v6ToBig(ip) {
  let s2 = ip;
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s2);
  if (m) {
    const v = v4ToBig(m[2]);
    s2 = `${m[1]}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail2] = s2.includes("::") ? s2.split("::") : [s2, void 0];
  const h = head ? head.split(":") : [];
  const t = tail2 !== void 0 && tail2 !== "" ? tail2.split(":") : [];
  const fill = tail2 !== void 0 ? 8 - h.length - t.length : 0;
  const parts = [...h, ...Array(fill).fill("0"), ...t];
  return parts.reduce((acc, p) => acc << 16n | BigInt(parseInt(p, 16)), 0n);
}
function bigToV4(v) {
  return [24n, 16n, 8n, 0n].map((s2) => String(v >> s2 & 0xffn)).join(".");
}
function bigToV6(v) {
  const parts = [];
  for (let i = 7; i >= 0; i--) parts.push((v >> BigInt(i * 16) & 0xffffn).toString(16));
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(":");
  return `${parts.slice(0, best).join(":")}::${parts.slice(best + bestLen).join(":")}`;
}
function parseCidr(text) {
  if (typeof text !== "string") throw new Error(`invalid CIDR ${JSON.stringify(text)}: not a string`);
  const [ip, lenText, extra] = text.trim().split("/");
  if (extra !== void 0 || ip === void 0) throw new Error(`invalid CIDR "${text}"`);
  const family2 = isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : 0;
  if (family2 === 0) throw new Error(`invalid CIDR "${text}": "${ip}" is not an IP address`);
  const bits = family2 === 4 ? 32 : 128;
  const len = lenText === void 0 ? bits : Number(lenText);
  if (lenText !== void 0 && !/^\d{1,3}$/.test(lenText)) throw new Error(`invalid CIDR "${text}": bad prefix length`);
  if (!Number.isInteger(len) || len < 0 || len > bits) throw new Error(`invalid CIDR "${text}": prefix length must be 0-${bits}`);
  const raw = family2 === 4 ? v4ToBig(ip) : v6ToBig(ip);
  const mask = len === 0 ? 0n : (1n << BigInt(len)) - 1n << BigInt(bits - len);
  const addr = raw & mask;
  const txt = `${family2 === 4 ? bigToV4(addr) : bigToV6(addr)}/${len}`;
  return { family: family2, addr, len, text: txt };
}
function cidrContains2(outer, inner) {
  if (outer.family !== inner.family || inner.len < outer.len) return false;
  const bits = outer.family === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.len);
  return outer.addr >> shift === inner.addr >> shift;
}
var init_cidr = __esm({
  "src/policy/cidr.ts"() {
    "use strict";
  }
});

// src/policy/model.ts
var LABEL_ORCHESTRATOR;
var init_model = __esm({
  "src/policy/model.ts"() {
    "use strict";
    LABEL_ORCHESTRATOR = "projectcalico.org/orchestrator";
  }
});

// src/policy/k8s-conversion.ts
var k8s_conversion_exports = {};
__export(k8s_conversion_exports, {
  K8S_POLICY_NAME_PREFIX: () => K8S_POLICY_NAME_PREFIX,
  K8S_POLICY_ORDER: () => K8S_POLICY_ORDER,
  convertK8sNetworkPolicy: () => convertK8sNetworkPolicy,
  k8sSelectorToCalico: () => k8sSelectorToCalico
});
function isObj(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function fail(where, problem) {
  throw new Error(`invalid Kubernetes NetworkPolicy: ${where}: ${problem}`);
}
function optArray(v, where) {
  if (v === void 0 || v === null) return [];
  if (!Array.isArray(v)) fail(where, "must be a list");
  return v;
}
function checkKey(k, where) {
  if (!LABEL_KEY.test(k) || k.length > 317) fail(where, `"${k}" is not a valid label key`);
}
function checkValue(v, where) {
  if (typeof v !== "string" || !LABEL_VALUE2.test(v) || v.length > 63) fail(where, `${JSON.stringify(v)} is not a valid label value`);
  return v;
}
function k8sSelectorToCalico(sel, kind, where) {
  const terms = [];
  if (kind === "pod") terms.push(`${LABEL_ORCHESTRATOR} == 'k8s'`);
  if (sel === void 0 || sel === null) return terms.join(" && ");
  if (!isObj(sel)) fail(where, "must be a label selector object");
  const matchLabels = sel.matchLabels ?? {};
  if (!isObj(matchLabels)) fail(`${where}.matchLabels`, "must be a map of label key to value");
  const exprs = optArray(sel.matchExpressions, `${where}.matchExpressions`);
  for (const k of Object.keys(sel)) {
    if (k !== "matchLabels" && k !== "matchExpressions") fail(where, `unknown field "${k}"`);
  }
  if (Object.keys(matchLabels).length === 0 && exprs.length === 0 && kind === "namespace") return "all()";
  for (const k of Object.keys(matchLabels).sort()) {
    checkKey(k, `${where}.matchLabels`);
    terms.push(`${k} == '${checkValue(matchLabels[k], `${where}.matchLabels.${k}`)}'`);
  }
  exprs.forEach((e, i) => {
    const w = `${where}.matchExpressions[${i}]`;
    if (!isObj(e)) fail(w, "must be an object with key, operator, values");
    if (typeof e.key !== "string") fail(`${w}.key`, "is required");
    checkKey(e.key, `${w}.key`);
    const values = optArray(e.values, `${w}.values`).map((v, j) => checkValue(v, `${w}.values[${j}]`));
    const list2 = `{ ${values.map((v) => `'${v}'`).join(", ")} }`;
    switch (e.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) fail(`${w}.values`, `must be non-empty for operator ${e.operator}`);
        terms.push(e.operator === "In" ? `${e.key} in ${list2}` : `${e.key} not in ${list2}`);
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) fail(`${w}.values`, `must be empty for operator ${e.operator}`);
        terms.push(e.operator === "Exists" ? `has(${e.key})` : `! has(${e.key})`);
        break;
      default:
        fail(`${w}.operator`, `${JSON.stringify(e.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
    }
  });
  return terms.join(" && ");
}
function convertPeer(peer, where) {
  if (!isObj(peer)) fail(where, "must be an object");
  for (const k of Object.keys(peer)) {
    if (!["podSelector", "namespaceSelector", "ipBlock"].includes(k)) fail(where, `unknown field "${k}"`);
  }
  const hasPod = peer.podSelector !== void 0 && peer.podSelector !== null;
  const hasNs = peer.namespaceSelector !== void 0 && peer.namespaceSelector !== null;
  const hasBlock = peer.ipBlock !== void 0 && peer.ipBlock !== null;
  if (hasBlock) {
    if (hasPod || hasNs) fail(where, "ipBlock cannot be combined with podSelector or namespaceSelector");
    const b2 = peer.ipBlock;
    if (!isObj(b2) || typeof b2.cidr !== "string") fail(`${where}.ipBlock.cidr`, "is required");
    let cidr2;
    try {
      cidr2 = parseCidr(b2.cidr);
    } catch (e) {
      fail(`${where}.ipBlock.cidr`, e.message);
    }
    const except = optArray(b2.except, `${where}.ipBlock.except`).map((x, i) => {
      const w = `${where}.ipBlock.except[${i}]`;
      if (typeof x !== "string") fail(w, "must be a CIDR string");
      let c;
      try {
        c = parseCidr(x);
      } catch (e) {
        fail(w, e.message);
      }
      if (!cidrContains2(cidr2, c) || c.len === cidr2.len) fail(w, `"${x}" must be strictly within cidr ${b2.cidr}`);
      return x;
    });
    const out3 = { nets: [b2.cidr] };
    if (except.length) out3.notNets = except;
    return out3;
  }
  if (hasPod && hasNs) {
    return {
      selector: k8sSelectorToCalico(peer.podSelector, "pod", `${where}.podSelector`),
      namespaceSelector: k8sSelectorToCalico(peer.namespaceSelector, "namespace", `${where}.namespaceSelector`)
    };
  }
  if (hasPod) return { selector: k8sSelectorToCalico(peer.podSelector, "pod", `${where}.podSelector`) };
  if (hasNs) {
    return {
      selector: k8sSelectorToCalico(void 0, "pod", `${where}.podSelector`),
      namespaceSelector: k8sSelectorToCalico(peer.namespaceSelector, "namespace", `${where}.namespaceSelector`)
    };
  }
  fail(where, "a peer needs podSelector, namespaceSelector or ipBlock");
}
function convertPort(p, where) {
  if (!isObj(p)) fail(where, "must be an object");
  for (const k of Object.keys(p)) {
    if (!["protocol", "port", "endPort"].includes(k)) fail(where, `unknown field "${k}"`);
  }
  const protocol2 = p.protocol ?? "TCP";
  if (typeof protocol2 !== "string" || !PROTOCOLS.includes(protocol2)) {
    fail(`${where}.protocol`, `${JSON.stringify(p.protocol)} is not one of TCP, UDP, SCTP`);
  }
  const out3 = { protocol: protocol2 };
  if (p.port === void 0 || p.port === null) {
    if (p.endPort !== void 0 && p.endPort !== null) fail(`${where}.endPort`, "requires port");
    return out3;
  }
  if (typeof p.port === "number") {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) fail(`${where}.port`, `${p.port} is not a port number 1-65535`);
    if (p.endPort !== void 0 && p.endPort !== null) {
      if (typeof p.endPort !== "number" || !Number.isInteger(p.endPort) || p.endPort < p.port || p.endPort > 65535) {
        fail(`${where}.endPort`, `must be a port number between port (${p.port}) and 65535`);
      }
      out3.ports = p.endPort === p.port ? [p.port] : [`${p.port}:${p.endPort}`];
    } else {
      out3.ports = [p.port];
    }
    return out3;
  }
  if (typeof p.port === "string") {
    if (p.endPort !== void 0 && p.endPort !== null) fail(`${where}.endPort`, "cannot be used with a named port");
    if (/^\d+$/.test(p.port)) return convertPort({ ...p, port: Number(p.port) }, where);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.port) || p.port.length > 15) fail(`${where}.port`, `"${p.port}" is not a valid port name`);
    out3.ports = [p.port];
    return out3;
  }
  fail(`${where}.port`, "must be a number or a port name");
}
function convertRules(list2, dir) {
  const rules = [];
  list2.forEach((r, i) => {
    const where = `spec.${dir}[${i}]`;
    if (r === null) r = {};
    if (!isObj(r)) fail(where, "must be an object");
    const peerKey = dir === "ingress" ? "from" : "to";
    for (const k of Object.keys(r)) {
      if (k !== peerKey && k !== "ports") fail(where, `unknown field "${k}"`);
    }
    const peers = optArray(r[peerKey], `${where}.${peerKey}`).map((p, j) => convertPeer(p, `${where}.${peerKey}[${j}]`));
    const ports = optArray(r.ports, `${where}.ports`).map((p, j) => convertPort(p, `${where}.ports[${j}]`));
    if (peers.length === 0) peers.push(void 0);
    if (ports.length === 0) ports.push(void 0);
    for (const port3 of ports) {
      for (const peer of peers) {
        const rule2 = { action: "Allow" };
        if (port3?.protocol) rule2.protocol = port3.protocol;
        const peerEntity = {};
        if (peer?.selector !== void 0) peerEntity.selector = peer.selector;
        if (peer?.namespaceSelector !== void 0) peerEntity.namespaceSelector = peer.namespaceSelector;
        if (peer?.nets) peerEntity.nets = peer.nets;
        if (peer?.notNets) peerEntity.notNets = peer.notNets;
        const portEntity = port3?.ports ? { ports: port3.ports } : {};
        if (dir === "ingress") {
          rule2.source = peerEntity;
          rule2.destination = portEntity;
        } else {
          rule2.source = {};
          rule2.destination = { ...peerEntity, ...portEntity };
        }
        rules.push(rule2);
      }
    }
  });
  return rules;
}
function convertK8sNetworkPolicy(obj2) {
  if (!isObj(obj2)) throw new Error("invalid Kubernetes NetworkPolicy: expected an object");
  if (obj2.apiVersion !== "networking.k8s.io/v1") {
    fail("apiVersion", `expected "networking.k8s.io/v1", got ${JSON.stringify(obj2.apiVersion)}`);
  }
  if (obj2.kind !== "NetworkPolicy") fail("kind", `expected "NetworkPolicy", got ${JSON.stringify(obj2.kind)}`);
  const md = obj2.metadata;
  if (!isObj(md)) fail("metadata", "is required");
  const name = md.name;
  if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
    fail("metadata.name", `${JSON.stringify(name)} is not a valid name (lower-case DNS subdomain)`);
  }
  const namespace = md.namespace ?? "default";
  if (typeof namespace !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
    fail("metadata.namespace", `${JSON.stringify(md.namespace)} is not a valid namespace name`);
  }
  const spec = obj2.spec ?? {};
  if (!isObj(spec)) fail("spec", "must be an object");
  for (const k of Object.keys(spec)) {
    if (!["podSelector", "ingress", "egress", "policyTypes"].includes(k)) fail("spec", `unknown field "${k}"`);
  }
  const selector2 = k8sSelectorToCalico(spec.podSelector ?? {}, "pod", "spec.podSelector");
  const ingressIn = optArray(spec.ingress, "spec.ingress");
  const egressIn = optArray(spec.egress, "spec.egress");
  const declared = optArray(spec.policyTypes, "spec.policyTypes");
  let ingress = false;
  let egress = false;
  declared.forEach((t, i) => {
    if (t === "Ingress") ingress = true;
    else if (t === "Egress") egress = true;
    else fail(`spec.policyTypes[${i}]`, `${JSON.stringify(t)} is not Ingress or Egress`);
  });
  if (declared.length === 0) {
    ingress = true;
    egress = egressIn.length > 0;
  }
  const types = [];
  if (ingress) types.push("Ingress");
  if (egress) types.push("Egress");
  const outSpec = {
    tier: "default",
    order: K8S_POLICY_ORDER,
    selector: selector2,
    types
  };
  const ing = convertRules(ingressIn, "ingress");
  const eg = convertRules(egressIn, "egress");
  if (ing.length) outSpec.ingress = ing;
  if (eg.length) outSpec.egress = eg;
  const metadata = { name: K8S_POLICY_NAME_PREFIX + name, namespace };
  if (isObj(md.labels)) metadata.labels = { ...md.labels };
  if (typeof md.uid === "string") metadata.uid = md.uid;
  if (typeof md.creationTimestamp === "string") metadata.creationTimestamp = md.creationTimestamp;
  return { apiVersion: API_VERSION, kind: "NetworkPolicy", metadata, spec: outSpec };
}
var K8S_POLICY_NAME_PREFIX, K8S_POLICY_ORDER, LABEL_KEY, LABEL_VALUE2, PROTOCOLS;
var init_k8s_conversion = __esm({
  "src/policy/k8s-conversion.ts"() {
    "use strict";
    init_resource();
    init_cidr();
    init_model();
    K8S_POLICY_NAME_PREFIX = "knp.default.";
    K8S_POLICY_ORDER = 1e3;
    LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
    LABEL_VALUE2 = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
    PROTOCOLS = ["TCP", "UDP", "SCTP"];
  }
});

// src/ipam/ip.ts
var ip_exports = {};
__export(ip_exports, {
  blockFor: () => blockFor,
  cidrContains: () => cidrContains3,
  cidrCovers: () => cidrCovers,
  cidrSize: () => cidrSize,
  cidrsOverlap: () => cidrsOverlap2,
  compareIPv4: () => compareIPv4,
  encodeCidrName: () => encodeCidrName,
  formatCidr4: () => formatCidr4,
  formatIPv4: () => formatIPv4,
  isIPv4: () => isIPv42,
  maskOf: () => maskOf,
  parseCidr4: () => parseCidr4,
  parseIPv4: () => parseIPv4
});
function parseIPv4(s2) {
  const parts = s2.split(".");
  if (parts.length !== 4) throw new Error(`invalid IPv4 address ${JSON.stringify(s2)}`);
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`invalid IPv4 address ${JSON.stringify(s2)}`);
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}
function isIPv42(s2) {
  try {
    parseIPv4(s2);
    return true;
  } catch {
    return false;
  }
}
function formatIPv4(v) {
  v = v >>> 0;
  return `${v >>> 24}.${v >>> 16 & 255}.${v >>> 8 & 255}.${v & 255}`;
}
function maskOf(prefix) {
  return prefix === 0 ? 0 : 4294967295 << 32 - prefix >>> 0;
}
function parseCidr4(s2, strict = false) {
  const slash = s2.indexOf("/");
  if (slash < 0) throw new Error(`invalid CIDR ${JSON.stringify(s2)}: missing /prefix`);
  const addr = parseIPv4(s2.slice(0, slash));
  const ps = s2.slice(slash + 1);
  if (!/^\d{1,2}$/.test(ps) || Number(ps) > 32) throw new Error(`invalid CIDR ${JSON.stringify(s2)}: bad prefix length`);
  const prefix = Number(ps);
  const base = (addr & maskOf(prefix)) >>> 0;
  if (strict && base !== addr) throw new Error(`invalid CIDR ${JSON.stringify(s2)}: host bits set (did you mean ${formatIPv4(base)}/${prefix}?)`);
  return { base, prefix };
}
function formatCidr4(c) {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}
function cidrSize(c) {
  return 2 ** (32 - c.prefix);
}
function cidrContains3(c, ip) {
  return (ip & maskOf(c.prefix)) >>> 0 === c.base;
}
function cidrCovers(outer, inner) {
  return inner.prefix >= outer.prefix && cidrContains3(outer, inner.base);
}
function cidrsOverlap2(a, b2) {
  return cidrContains3(a, b2.base) || cidrContains3(b2, a.base);
}
function blockFor(ip, blockSize) {
  return { base: (ip & maskOf(blockSize)) >>> 0, prefix: blockSize };
}
function encodeCidrName(cidr2) {
  return cidr2.replace(/[.:/]/g, "-");
}
function compareIPv4(a, b2) {
  const pa = parseIPv4(a.split("/")[0]);
  const pb = parseIPv4(b2.split("/")[0]);
  return pa - pb || Number(a.split("/")[1] ?? 32) - Number(b2.split("/")[1] ?? 32);
}
var init_ip = __esm({
  "src/ipam/ip.ts"() {
    "use strict";
  }
});

// src/ipam/model.ts
import { createHash } from "node:crypto";
function effectiveMaxBlocks(cfg) {
  return cfg.maxBlocksPerHost > 0 ? cfg.maxBlocksPerHost : DEFAULT_MAX_BLOCKS_PER_HOST;
}
function configFromResource(res) {
  const s2 = res?.spec ?? {};
  return {
    strictAffinity: s2.strictAffinity ?? DEFAULT_IPAM_CONFIG.strictAffinity,
    autoAllocateBlocks: s2.autoAllocateBlocks ?? DEFAULT_IPAM_CONFIG.autoAllocateBlocks,
    maxBlocksPerHost: s2.maxBlocksPerHost ?? DEFAULT_IPAM_CONFIG.maxBlocksPerHost
  };
}
function poolFromResource(res) {
  const s2 = res.spec ?? {};
  const name = res.metadata.name;
  if (typeof s2.cidr !== "string") throw new Error(`IPPool ${name}: spec.cidr is missing`);
  if (s2.cidr.includes(":")) throw new Error(`IPPool ${name}: IPv6 pools are not supported by this IPAM yet (${s2.cidr})`);
  const net = parseCidr4(s2.cidr);
  const blockSize = s2.blockSize ?? 26;
  if (!Number.isInteger(blockSize) || blockSize < 20 || blockSize > 32) {
    throw new Error(`IPPool ${name}: blockSize ${blockSize} is out of range 20-32`);
  }
  if (blockSize < net.prefix) throw new Error(`IPPool ${name}: blockSize /${blockSize} is larger than the pool ${s2.cidr}`);
  let nodeSelector;
  try {
    nodeSelector = parseSelector(s2.nodeSelector ?? "");
  } catch (e) {
    throw new Error(`IPPool ${name}: bad nodeSelector: ${e.message}`);
  }
  return {
    name,
    cidr: formatCidr4(net),
    net,
    blockSize,
    nodeSelector,
    disabled: s2.disabled === true,
    allowedUses: Array.isArray(s2.allowedUses) && s2.allowedUses.length ? s2.allowedUses : ["Workload", "Tunnel"],
    ipipMode: s2.ipipMode ?? "Never",
    vxlanMode: s2.vxlanMode ?? "Never"
  };
}
function isIPv6Pool(res) {
  const cidr2 = res.spec?.cidr;
  return typeof cidr2 === "string" && cidr2.includes(":");
}
function poolAllows(pool, use) {
  return pool.allowedUses.includes(use);
}
function blockName(cidr2) {
  return encodeCidrName(cidr2);
}
function affinityName2(node, cidr2) {
  const name = `${node}-${encodeCidrName(cidr2)}`;
  if (name.length <= 253) return name;
  const h = createHash("sha256").update(name).digest("hex").slice(0, 16);
  return `${name.slice(0, 253 - 17)}-${h}`;
}
function hostAffinity(node) {
  return `host:${node}`;
}
function affinityNode(affinity) {
  return affinity?.startsWith("host:") ? affinity.slice(5) : void 0;
}
function makeResource(kind, name, spec) {
  return { apiVersion: API_VERSION, kind, metadata: { name }, spec };
}
function newBlockSpec(cidr2, node, now) {
  const n = cidrSize(cidr2);
  return {
    cidr: formatCidr4(cidr2),
    ...node !== void 0 ? { affinity: hostAffinity(node), affinityClaimTime: now.toISOString() } : {},
    strictAffinity: false,
    allocations: new Array(n).fill(null),
    unallocated: Array.from({ length: n }, (_, i) => i),
    attributes: [],
    deleted: false,
    sequenceNumber: 0,
    sequenceNumberForAllocation: {}
  };
}
function blockNet(spec) {
  return parseCidr4(spec.cidr);
}
function ordinalToIP(spec, ord) {
  return formatIPv4(blockNet(spec).base + ord);
}
function inUseCount(spec) {
  return spec.allocations.length - spec.unallocated.length;
}
function freeCount(spec) {
  return spec.unallocated.length;
}
function secondaryOf(attrs) {
  if (!attrs) return void 0;
  const out3 = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v === "string") out3[k] = v;
  return Object.keys(out3).length ? out3 : void 0;
}
function sameSecondary(a, b2) {
  const ka = Object.keys(a ?? {}).sort();
  const kb = Object.keys(b2 ?? {}).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b2[k]);
}
function findOrAddAttribute(spec, handleId, attrs) {
  const secondary = secondaryOf(attrs);
  const idx = spec.attributes.findIndex((a) => a.handle_id === handleId && !a.releasedAt && sameSecondary(a.secondary, secondary));
  if (idx >= 0) return idx;
  spec.attributes.push({ handle_id: handleId, ...secondary ? { secondary } : {} });
  return spec.attributes.length - 1;
}
function assignOrdinals(spec, num2, handleId, attrs) {
  const take = Math.min(num2, spec.unallocated.length);
  if (take <= 0) return [];
  const ords = spec.unallocated.splice(0, take);
  const attrIdx = findOrAddAttribute(spec, handleId, attrs);
  for (const o of ords) {
    spec.allocations[o] = attrIdx;
    spec.sequenceNumberForAllocation[String(o)] = spec.sequenceNumber;
  }
  spec.sequenceNumber++;
  return ords;
}
function assignOrdinal(spec, ord, handleId, attrs) {
  if (ord < 0 || ord >= spec.allocations.length) throw new Error(`ordinal ${ord} outside block ${spec.cidr}`);
  if (spec.allocations[ord] !== null) return false;
  const pos = spec.unallocated.indexOf(ord);
  if (pos >= 0) spec.unallocated.splice(pos, 1);
  spec.allocations[ord] = findOrAddAttribute(spec, handleId, attrs);
  spec.sequenceNumberForAllocation[String(ord)] = spec.sequenceNumber;
  spec.sequenceNumber++;
  return true;
}
function handleOfOrdinal(spec, ord) {
  const a = spec.allocations[ord];
  return a === null || a === void 0 ? void 0 : spec.attributes[a]?.handle_id;
}
function ordinalsOfHandle(spec, handleId) {
  const out3 = [];
  spec.allocations.forEach((a, i) => {
    if (a !== null && spec.attributes[a]?.handle_id === handleId) out3.push(i);
  });
  return out3;
}
function releaseOrdinals(spec, ords) {
  const released = /* @__PURE__ */ new Map();
  for (const o of ords) {
    if (o < 0 || o >= spec.allocations.length || spec.allocations[o] === null || released.has(o)) continue;
    released.set(o, handleOfOrdinal(spec, o));
    spec.allocations[o] = null;
    spec.unallocated.push(o);
    delete spec.sequenceNumberForAllocation[String(o)];
  }
  if (released.size) {
    compactAttributes(spec);
    spec.sequenceNumber++;
  }
  return released;
}
function compactAttributes(spec) {
  const used = /* @__PURE__ */ new Set();
  for (const a of spec.allocations) if (a !== null) used.add(a);
  const remap = /* @__PURE__ */ new Map();
  const kept = [];
  spec.attributes.forEach((attr, i) => {
    if (used.has(i)) {
      remap.set(i, kept.length);
      kept.push(attr);
    }
  });
  spec.attributes = kept;
  spec.allocations = spec.allocations.map((a) => a === null ? null : remap.get(a));
}
function* blockOrder(pool, node) {
  const count = 2 ** (pool.blockSize - pool.net.prefix);
  const seed = createHash("sha256").update(node).digest().readUIntBE(0, 6);
  const start = seed % count;
  const step = 2 ** (32 - pool.blockSize);
  for (let i = 0; i < count; i++) {
    const idx = (start + i) % count;
    yield { base: pool.net.base + idx * step >>> 0, prefix: pool.blockSize };
  }
}
function validateBlock(spec) {
  const problems = [];
  let net;
  try {
    net = parseCidr4(spec.cidr);
  } catch (e) {
    return [`bad cidr: ${e.message}`];
  }
  const n = cidrSize(net);
  if (!Array.isArray(spec.allocations) || spec.allocations.length !== n) problems.push(`has ${spec.allocations?.length} allocation slots, want ${n}`);
  const free = new Set(spec.unallocated ?? []);
  if (free.size !== (spec.unallocated ?? []).length) problems.push("unallocated list has duplicates");
  (spec.allocations ?? []).forEach((a, i) => {
    if (a === null && !free.has(i)) problems.push(`ordinal ${i} is neither allocated nor in the free list`);
    if (a !== null && free.has(i)) problems.push(`ordinal ${i} is allocated but also in the free list`);
    if (a !== null && !spec.attributes?.[a]) problems.push(`ordinal ${i} points at missing attribute ${a}`);
  });
  return problems;
}
var KIND_BLOCK, KIND_AFFINITY, KIND_HANDLE, KIND_CONFIG, KIND_POOL, KIND_NODE, CONFIG_NAME, EMPTY_BLOCK_MIN_RECLAIM_AGE_MS, DEFAULT_MAX_BLOCKS_PER_HOST, DEFAULT_IPAM_CONFIG;
var init_model2 = __esm({
  "src/ipam/model.ts"() {
    "use strict";
    init_resource();
    init_selector();
    init_ip();
    KIND_BLOCK = "IPAMBlock";
    KIND_AFFINITY = "BlockAffinity";
    KIND_HANDLE = "IPAMHandle";
    KIND_CONFIG = "IPAMConfiguration";
    KIND_POOL = "IPPool";
    KIND_NODE = "Node";
    CONFIG_NAME = "default";
    EMPTY_BLOCK_MIN_RECLAIM_AGE_MS = 6e4;
    DEFAULT_MAX_BLOCKS_PER_HOST = 20;
    DEFAULT_IPAM_CONFIG = { strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0 };
  }
});

// src/ipam/allocator.ts
function tunnelHandle(type, node) {
  return `${type}-tunnel-addr-${node}`;
}
function isConflict(e) {
  const lost = isDatastoreError(e, "Conflict") || isDatastoreError(e, "AlreadyExists") || isDatastoreError(e, "NotFound");
  if (lost) ipamStats.casConflicts++;
  return lost;
}
function ignoreConflict(e) {
  if (!isConflict(e)) throw e;
}
function tooManyRetries(what) {
  return new IpamError("TooManyRetries", `gave up writing ${what} after ${MAX_CAS_RETRIES} conflicting updates`);
}
function stripUndefined(o) {
  const out3 = {};
  for (const [k, v] of Object.entries(o)) if (v !== void 0) out3[k] = v;
  return out3;
}
function shuffle(arr, random) {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
}
var MAX_CAS_RETRIES, log3, IpamError, TUNNEL_ATTR_TYPE, ipamStats, BlockAffinityAllocator;
var init_allocator = __esm({
  "src/ipam/allocator.ts"() {
    "use strict";
    init_types();
    init_log();
    init_ip();
    init_model2();
    MAX_CAS_RETRIES = 100;
    log3 = createLogger("ipam");
    IpamError = class extends Error {
      constructor(code, message) {
        super(message);
        this.code = code;
        this.name = "IpamError";
      }
      code;
    };
    TUNNEL_ATTR_TYPE = { ipip: "ipipTunnelAddress", vxlan: "vxlanTunnelAddress" };
    ipamStats = { casConflicts: 0, blocksClaimed: 0, blocksReclaimed: 0, addressesBorrowed: 0 };
    BlockAffinityAllocator = class {
      constructor(ds, opts = {}) {
        this.ds = ds;
        this.now = opts.now ?? (() => /* @__PURE__ */ new Date());
        this.random = opts.random ?? Math.random;
      }
      ds;
      now;
      random;
      // ---------------------------------------------------------------- reads
      async getConfig() {
        return configFromResource(await this.ds.get(KIND_CONFIG, CONFIG_NAME));
      }
      /** Change IPAMConfiguration `default` (fields not given keep their value). */
      async setConfig(patch) {
        if (patch.maxBlocksPerHost !== void 0 && (!Number.isInteger(patch.maxBlocksPerHost) || patch.maxBlocksPerHost < 0)) {
          throw new IpamError("InvalidRequest", `maxBlocksPerHost must be a non-negative integer, got ${patch.maxBlocksPerHost}`);
        }
        for (let i = 0; i < MAX_CAS_RETRIES; i++) {
          const cur = await this.ds.get(KIND_CONFIG, CONFIG_NAME);
          const spec = { ...configFromResource(cur), ...stripUndefined(patch) };
          try {
            if (cur) await this.ds.update({ ...cur, spec: { ...cur.spec ?? {}, ...spec } });
            else await this.ds.create(makeResource(KIND_CONFIG, CONFIG_NAME, spec));
            return spec;
          } catch (e) {
            if (!isConflict(e)) throw e;
          }
        }
        throw tooManyRetries("IPAMConfiguration default");
      }
      async listPools() {
        const { items } = await this.ds.list(KIND_POOL);
        const pools = [];
        for (const r of items) {
          if (isIPv6Pool(r)) continue;
          try {
            pools.push(poolFromResource(r));
          } catch (e) {
            log3.warn({ pool: r.metadata.name, err: e.message }, "ignoring unusable IP pool");
          }
        }
        return pools.sort((a, b2) => a.name.localeCompare(b2.name));
      }
      async nodeLabels(node) {
        const n = await this.ds.get(KIND_NODE, node);
        return n?.metadata.labels ?? {};
      }
      /**
       * The pools a node may allocate from for this use: enabled, allowing the use, selecting the node, and (when
       * `requested` is given) named by it. A requested pool that can't be used is an error naming the reason.
       */
      async candidatePools(node, use, requested) {
        const [pools, labels2] = await Promise.all([this.listPools(), this.nodeLabels(node)]);
        if (requested && requested.length) {
          return requested.map((want) => {
            const p = pools.find((x) => x.name === want || x.cidr === want);
            if (!p) throw new IpamError("NoPools", `the requested IP pool ${want} does not exist`);
            if (p.disabled) throw new IpamError("NoPools", `the requested IP pool ${p.name} (${p.cidr}) is disabled`);
            if (!poolAllows(p, use)) throw new IpamError("NoPools", `the requested IP pool ${p.name} does not allow use ${use} (allowedUses: ${p.allowedUses.join(", ")})`);
            if (!p.nodeSelector.evaluate(labels2)) throw new IpamError("NoPools", `the requested IP pool ${p.name} does not select node ${node} (nodeSelector: ${p.nodeSelector})`);
            return p;
          });
        }
        return pools.filter((p) => !p.disabled && poolAllows(p, use) && p.nodeSelector.evaluate(labels2));
      }
      /** CIDRs of blocks with a confirmed affinity to the node, inside the given pools, in address order. */
      async affineBlocks(node, pools, listed) {
        const items = listed ?? (await this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` })).items;
        const out3 = [];
        for (const r of items) {
          const s2 = r.spec;
          if (s2.node !== node || s2.state !== "confirmed" || s2.deleted === "true") continue;
          let c;
          try {
            c = parseCidr4(s2.cidr);
          } catch {
            continue;
          }
          if (pools.some((p) => cidrContains3(p.net, c.base))) out3.push(s2.cidr);
        }
        return out3.sort(compareIPv4);
      }
      // ---------------------------------------------------------------- allocation
      async autoAssign(req) {
        if (!req.handleId) throw new IpamError("InvalidRequest", "autoAssign needs a handle ID");
        if (!req.node) throw new IpamError("InvalidRequest", "autoAssign needs a node name");
        if (!Number.isInteger(req.num4) || req.num4 < 0) throw new IpamError("InvalidRequest", `num4 must be a non-negative integer, got ${req.num4}`);
        if (req.num4 === 0) return { ips: [] };
        const use = req.intendedUse ?? "Workload";
        const node = req.node;
        const attrs = { node, timestamp: this.now().toISOString(), ...stripUndefined(req.attrs ?? {}) };
        const [cfg, pools, affinities] = await Promise.all([
          this.getConfig(),
          this.candidatePools(node, use, req.pools),
          this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` })
        ]);
        if (!pools.length) {
          throw new IpamError("NoPools", `no IP pools are usable by node ${node} for ${use} addresses: a pool must be enabled, allow ${use} and have a nodeSelector matching the node`);
        }
        const got = [];
        const need = () => req.num4 - got.length;
        try {
          for (const cidr2 of await this.affineBlocks(node, pools, affinities.items)) {
            if (need() <= 0) break;
            got.push(...await this.assignFromBlock(cidr2, need(), req.handleId, attrs, node));
          }
          if (need() > 0 && cfg.autoAllocateBlocks) await this.assignFromNewBlocks(node, pools, cfg, req.handleId, attrs, got, need);
          if (need() > 0 && !cfg.strictAffinity) await this.borrow(node, pools, req.handleId, attrs, got, need);
        } catch (e) {
          await this.rollback(got);
          throw e;
        }
        if (need() > 0) {
          const allocated = got.length;
          await this.rollback(got);
          const poolList = pools.map((p) => `${p.name} (${p.cidr})`).join(", ");
          const why = cfg.strictAffinity ? " (strictAffinity is on, so other nodes' blocks are not borrowed)" : "";
          throw new IpamError(
            "PoolsExhausted",
            `failed to request ${req.num4} IPv4 address${req.num4 === 1 ? "" : "es"} for node ${node}: only ${allocated} free in pools ${poolList}${why}; nothing was allocated`
          );
        }
        return { ips: got };
      }
      async assignFromNewBlocks(node, pools, cfg, handleId, attrs, got, need) {
        const max = effectiveMaxBlocks(cfg);
        for (let attempt = 0; need() > 0 && attempt < MAX_CAS_RETRIES; attempt++) {
          const owned = await this.affineBlocks(node, pools);
          const found = await this.findUsableBlock(node, pools, owned.length >= max);
          if (!found) return;
          if (!await this.claimAffineBlock(node, found)) continue;
          got.push(...await this.assignFromBlock(formatCidr4(found), need(), handleId, attrs, node));
        }
      }
      /**
       * A block CIDR this node can use: one of its own blocks with free space whose affinity isn't confirmed (left
       * half-claimed), else (if under the block cap) the first CIDR without a block in the node's order, else an
       * empty block of another node claimed over a minute ago, which is reclaimed.
       */
      async findUsableBlock(node, pools, atCap) {
        const { items } = await this.ds.list(KIND_BLOCK);
        const blocks = /* @__PURE__ */ new Map();
        for (const b2 of items) blocks.set(b2.spec.cidr, b2);
        const affine = new Set(await this.affineBlocks(node, pools));
        const reclaimable = [];
        const nowMs = this.now().getTime();
        for (const pool of pools) {
          for (const c of blockOrder(pool, node)) {
            const b2 = blocks.get(formatCidr4(c));
            if (!b2) {
              if (!atCap) return c;
              continue;
            }
            const s2 = b2.spec;
            if (s2.deleted) continue;
            const owner = affinityNode(s2.affinity);
            if (owner === node && !affine.has(s2.cidr) && freeCount(s2) > 0) return c;
            if (owner !== void 0 && owner !== node && inUseCount(s2) === 0) {
              const claimed = s2.affinityClaimTime ? Date.parse(s2.affinityClaimTime) : 0;
              if (nowMs - claimed >= EMPTY_BLOCK_MIN_RECLAIM_AGE_MS) reclaimable.push(b2);
            }
          }
        }
        if (atCap) return void 0;
        for (const b2 of reclaimable) {
          if (await this.reclaimEmptyBlock(b2)) return parseCidr4(b2.spec.cidr);
        }
        return void 0;
      }
      /** Take an empty block away from its node: CAS-delete the block (fails if it changed), then its affinity. */
      async reclaimEmptyBlock(b2) {
        const owner = affinityNode(b2.spec.affinity);
        const affName = affinityName2(owner, b2.spec.cidr);
        const aff = await this.ds.get(KIND_AFFINITY, affName);
        try {
          await this.ds.delete(KIND_BLOCK, b2.metadata.name, void 0, b2.metadata.resourceVersion);
        } catch (e) {
          if (isConflict(e)) return false;
          throw e;
        }
        if (aff) await this.ds.delete(KIND_AFFINITY, affName, void 0, aff.metadata.resourceVersion).catch(ignoreConflict);
        ipamStats.blocksReclaimed++;
        log3.info({ block: b2.spec.cidr, from: owner }, "reclaimed empty block from another node");
        return true;
      }
      /**
       * Claim a block for the node: BlockAffinity pending → create the IPAMBlock → affinity confirmed.
       * Returns false when the block turned out to belong to another node.
       */
      async claimAffineBlock(node, cidr2) {
        const cidrText = formatCidr4(cidr2);
        const affName = affinityName2(node, cidrText);
        const affSpec = { state: "pending", node, cidr: cidrText, type: "host", deleted: "false" };
        try {
          await this.ds.create(makeResource(KIND_AFFINITY, affName, affSpec));
        } catch (e) {
          if (!isDatastoreError(e, "AlreadyExists")) throw e;
        }
        try {
          await this.ds.create(makeResource(KIND_BLOCK, blockName(cidrText), newBlockSpec(cidr2, node, this.now())));
        } catch (e) {
          if (!isDatastoreError(e, "AlreadyExists")) throw e;
          const existing = await this.ds.get(KIND_BLOCK, blockName(cidrText));
          const ownerNow = affinityNode(existing?.spec?.affinity);
          if (ownerNow !== node) {
            const aff = await this.ds.get(KIND_AFFINITY, affName);
            if (aff && aff.spec.state === "pending") {
              await this.ds.delete(KIND_AFFINITY, affName, void 0, aff.metadata.resourceVersion).catch(ignoreConflict);
            }
            return false;
          }
        }
        for (let i = 0; i < MAX_CAS_RETRIES; i++) {
          const aff = await this.ds.get(KIND_AFFINITY, affName);
          try {
            if (!aff) await this.ds.create(makeResource(KIND_AFFINITY, affName, { ...affSpec, state: "confirmed" }));
            else if (aff.spec.state === "confirmed") return true;
            else await this.ds.update({ ...aff, spec: { ...aff.spec, state: "confirmed" } });
            ipamStats.blocksClaimed++;
            log3.debug({ node, block: cidrText }, "claimed block");
            return true;
          } catch (e) {
            if (!isConflict(e)) throw e;
          }
        }
        throw tooManyRetries(`BlockAffinity ${affName}`);
      }
      async borrow(node, pools, handleId, attrs, got, need) {
        const { items } = await this.ds.list(KIND_BLOCK);
        const candidates = items.map((b2) => b2.spec).filter((s2) => !s2.deleted && affinityNode(s2.affinity) !== node && freeCount(s2) > 0).filter((s2) => {
          const c = parseCidr4(s2.cidr);
          return pools.some((p) => cidrContains3(p.net, c.base));
        });
        shuffle(candidates, this.random);
        for (const s2 of candidates) {
          if (need() <= 0) return;
          const borrowed = await this.assignFromBlock(s2.cidr, need(), handleId, attrs);
          ipamStats.addressesBorrowed += borrowed.length;
          got.push(...borrowed);
        }
      }
      /**
       * Assign up to `num` addresses from an existing block. With `requireNode`, only while the block is still
       * affine to that node (it may have been reclaimed since we listed it). Returns the addresses (block-masked CIDRs).
       */
      async assignFromBlock(cidr2, num2, handleId, attrs, requireNode) {
        const name = blockName(cidr2);
        for (let i = 0; i < MAX_CAS_RETRIES; i++) {
          const [res, handle] = await Promise.all([
            this.ds.get(KIND_BLOCK, name),
            this.ds.get(KIND_HANDLE, handleId)
          ]);
          if (!res || res.spec.deleted) return [];
          if (requireNode !== void 0 && affinityNode(res.spec.affinity) !== requireNode) return [];
          const take = Math.min(num2, freeCount(res.spec));
          if (take === 0) return [];
          await this.changeHandle(handleId, cidr2, take, handle ?? null);
          const spec = res.spec;
          const ords = assignOrdinals(spec, take, handleId, attrs);
          try {
            await this.ds.update(res);
          } catch (e) {
            await this.changeHandle(handleId, cidr2, -take);
            if (isConflict(e)) continue;
            throw e;
          }
          const prefix = parseCidr4(cidr2).prefix;
          return ords.map((o) => `${ordinalToIP(spec, o)}/${prefix}`);
        }
        throw tooManyRetries(`IPAMBlock ${cidr2}`);
      }
      /** Add `delta` to the handle's count for a block (creating / deleting the handle as needed). */
      async changeHandle(handleId, cidr2, delta, prefetched) {
        for (let i = 0; i < MAX_CAS_RETRIES; i++) {
          const h = i === 0 && prefetched !== void 0 ? prefetched ?? void 0 : await this.ds.get(KIND_HANDLE, handleId);
          try {
            if (!h) {
              if (delta <= 0) return;
              await this.ds.create(makeResource(KIND_HANDLE, handleId, { handleID: handleId, block: { [cidr2]: delta }, deleted: false }));
              return;
            }
            const block = { ...h.spec.block };
            const n = (block[cidr2] ?? 0) + delta;
            if (n > 0) block[cidr2] = n;
            else delete block[cidr2];
            if (Object.keys(block).length === 0) await this.ds.delete(KIND_HANDLE, handleId, void 0, h.metadata.resourceVersion);
            else await this.ds.update({ ...h, spec: { ...h.spec, block } });
            return;
          } catch (e) {
            if (!isConflict(e)) throw e;
          }
        }
        throw tooManyRetries(`IPAMHandle ${handleId}`);
      }
      /** Set the handle's count for a block to what the block really holds for it (after a release). */
      async setHandleCount(handleId, cidr2, count) {
        for (let i = 0; i < MAX_CAS_RETRIES; i++) {
          const h = await this.ds.get(KIND_HANDLE, handleId);
          if (!h) return;
          const block = { ...h.spec.block };
          if (count > 0) block[cidr2] = count;
          else delete block[cidr2];
          try {
            if (Object.keys(block).length === 0) await this.ds.delete(KIND_HANDLE, handleId, void 0, h.metadata.resourceVersion);
            else await this.ds.update({ ...h, spec: { ...h.spec, block } });
            return;
          } catch (e) {
            if (!isConflict(e)) throw e;
          }
        }
        throw tooManyRetries(`IPAMHandle ${handleId}`);
      }
      /** Undo allocations made by a request that could not complete. */
      async rollback(ips) {
        if (!ips.length) return;
        const left = await this.releaseIPs(ips.map((c) => c.split("/")[0]));
        if (left.length) log3.error({ ips: left }, "rollback found addresses already released");
        ips.length = 0;
      }
      async assignIP(ip, handleId, node, attrs) {
        if (!handleId) throw new IpamError("InvalidRequest", "assignIP needs a handle ID");
        let addr;
        try {
          addr = parseIPv4(ip.split("/")[0]);
        } catch (e) {
          throw new IpamError("InvalidRequest", e.message);
        }
        const pools = await this.listPools();
        const pool = pools.find((p) => cidrContains3(p.net, addr));
        if (!pool) throw new IpamError("NotInPool", `${ip} is not in any configured IP pool`);
        const cfg = await this.getConfig();
        const cidr2 = blockFor(addr, pool.blockSize);
        const cidrText = formatCidr4(cidr2);
        const fullAttrs = { node, timestamp: this.now().toISOString(), ...stripUndefined(attrs ?? {}) };
        for (let i = 0; i < MAX_CAS_RETRIES; i++) {
          const res = await this.ds.get(KIND_BLOCK, blockName(cidrText));
          if (!res) {
            if (!cfg.autoAllocateBlocks) throw new IpamError("PoolsExhausted", `block ${cidrText} for ${ip} does not exist and autoAllocateBlocks is off`);
            await this.claimAffineBlock(node, cidr2);
            continue;
          }
          const spec = res.spec;
          const ord = addr - cidr2.base;
          if (spec.allocations[ord] !== null) {
            const holder = spec.attributes[spec.allocations[ord]]?.handle_id;
            throw new IpamError("AlreadyAllocated", `${ip} is already allocated${holder ? ` (handle ${holder})` : ""}`);
          }
          await this.changeHandle(handleId, cidrText, 1);
          assignOrdinal(spec, ord, handleId, fullAttrs);
          try {
            await this.ds.update(res);
            return;
          } catch (e) {
            await this.changeHandle(handleId, cidrText, -1);
            if (!isConflict(e)) throw e;
          }
        }
        throw tooManyRetries(`IPAMBlock ${cidrText}`);
      }
      // ---------------------------------------------------------------- release
      async releaseIPs(ips) {
        const pools = await this.listPools();
        const byBlock = /* @__PURE__ */ new Map();
        const notAllocated = [];
        let allBlocks;
        for (const ipText of ips) {
          const addr = parseIPv4(ipText.split("/")[0]);
          let cidr2;
          const pool = pools.find((p) => cidrContains3(p.net, addr));
          if (pool) cidr2 = formatCidr4(blockFor(addr, pool.blockSize));
          else {
            allBlocks ??= (await this.ds.list(KIND_BLOCK)).items.map((r) => r.spec);
            cidr2 = allBlocks.find((b2) => cidrContains3(parseCidr4(b2.cidr), addr))?.cidr;
          }
          if (!cidr2) {
            notAllocated.push(ipText);
            continue;
          }
          const list2 = byBlock.get(cidr2) ?? [];
          list2.push(addr);
          byBlock.set(cidr2, list2);
        }
        for (const [cidr2, addrs] of byBlock) {
          const base = parseCidr4(cidr2).base;
          const released = await this.releaseFromBlock(cidr2, (spec) => addrs.map((a) => a - base).filter((o) => spec.allocations[o] !== null));
          const releasedAddrs = new Set([...released.keys()].map((o) => base + o));
          for (const a of addrs) if (!releasedAddrs.has(a)) notAllocated.push(ips.find((t) => parseIPv4(t.split("/")[0]) === a));
          const perHandle = /* @__PURE__ */ new Map();
          for (const h of released.values()) if (h) perHandle.set(h, (perHandle.get(h) ?? 0) + 1);
          for (const [h, n] of perHandle) await this.changeHandle(h, cidr2, -n);
        }
        return notAllocated;
      }
      /** CAS-release the ordinals `pick` chooses from the current block; returns ordinal → handle released. */
      async releaseFromBlock(cidr2, pick) {
        for (let i = 0; i < MAX_CAS_RETRIES; i++) {
          const res = await this.ds.get(KIND_BLOCK, blockName(cidr2));
          if (!res) return /* @__PURE__ */ new Map();
          const ords = pick(res.spec);
          if (!ords.length) return /* @__PURE__ */ new Map();
          const released = releaseOrdinals(res.spec, ords);
          try {
            await this.ds.update(res);
            return released;
          } catch (e) {
            if (!isConflict(e)) throw e;
          }
        }
        throw tooManyRetries(`IPAMBlock ${cidr2}`);
      }
      async releaseByHandle(handleId) {
        const h = await this.ds.get(KIND_HANDLE, handleId);
        if (!h) return 0;
        let total = 0;
        for (const cidr2 of Object.keys(h.spec.block)) {
          const released = await this.releaseFromBlock(cidr2, (spec) => ordinalsOfHandle(spec, handleId));
          total += released.size;
          await this.setHandleCount(handleId, cidr2, 0);
        }
        return total;
      }
      async ipsByHandle(handleId) {
        const h = await this.ds.get(KIND_HANDLE, handleId);
        if (!h) return [];
        const out3 = [];
        for (const cidr2 of Object.keys(h.spec.block)) {
          const b2 = (await this.ds.get(KIND_BLOCK, blockName(cidr2)))?.spec;
          if (!b2) continue;
          const prefix = parseCidr4(cidr2).prefix;
          for (const o of ordinalsOfHandle(b2, handleId)) out3.push(`${ordinalToIP(b2, o)}/${prefix}`);
        }
        return out3.sort(compareIPv4);
      }
      // ---------------------------------------------------------------- tunnel addresses
      /**
       * The node's IPIP or VXLAN tunnel address (allocate-tunnel-addrs): reuse the one its handle holds, else
       * allocate one (IntendedUse Tunnel) from a pool with that encapsulation on; record it on the Node
       * (spec.bgp.ipv4IPIPTunnelAddr / spec.ipv4VXLANTunnelAddr) when the Node exists. Undefined when no pool
       * for the node has that encapsulation enabled.
       */
      async ensureTunnelAddress(node, type) {
        const handleId = tunnelHandle(type, node);
        const pools = (await this.candidatePools(node, "Tunnel")).filter((p) => (type === "ipip" ? p.ipipMode : p.vxlanMode) !== "Never");
        let ip;
        for (const held of await this.ipsByHandle(handleId)) {
          const addr = parseIPv4(held.split("/")[0]);
          if (!ip && pools.some((p) => cidrContains3(p.net, addr))) ip = held.split("/")[0];
          else await this.releaseIPs([held]);
        }
        if (!ip) {
          if (!pools.length) {
            await this.writeNodeTunnelAddr(node, type, void 0);
            return void 0;
          }
          const res = await this.autoAssign({
            handleId,
            node,
            num4: 1,
            pools: pools.map((p) => p.name),
            intendedUse: "Tunnel",
            attrs: { node, type: TUNNEL_ATTR_TYPE[type] }
          });
          ip = res.ips[0].split("/")[0];
        }
        await this.writeNodeTunnelAddr(node, type, ip);
        return ip;
      }
      /** Release the node's tunnel address of this type and clear it from the Node. */
      async releaseTunnelAddress(node, type) {
        const n = await this.releaseByHandle(tunnelHandle(type, node));
        await this.writeNodeTunnelAddr(node, type, void 0);
        return n;
      }
      async writeNodeTunnelAddr(node, type, ip) {
        for (let i = 0; i < MAX_CAS_RETRIES; i++) {
          const n = await this.ds.get(KIND_NODE, node);
          if (!n) return;
          const spec = structuredClone(n.spec ?? {});
          if (type === "ipip") {
            spec.bgp ??= {};
            if (spec.bgp.ipv4IPIPTunnelAddr === ip) return;
            if (ip) spec.bgp.ipv4IPIPTunnelAddr = ip;
            else if (spec.bgp.ipv4IPIPTunnelAddr !== void 0) delete spec.bgp.ipv4IPIPTunnelAddr;
            else return;
          } else {
            if (spec.ipv4VXLANTunnelAddr === ip) return;
            if (ip) spec.ipv4VXLANTunnelAddr = ip;
            else if (spec.ipv4VXLANTunnelAddr !== void 0) delete spec.ipv4VXLANTunnelAddr;
            else return;
          }
          try {
            await this.ds.update({ ...n, spec });
            return;
          } catch (e) {
            if (!isConflict(e)) throw e;
            if (isDatastoreError(e, "NotFound")) return;
          }
        }
        throw tooManyRetries(`Node ${node}`);
      }
      // ---------------------------------------------------------------- admin
      /**
       * Release blocks affine to `node` that hold no addresses (as kube-controllers does for deleted nodes; with
       * `keepOne`, a node keeps one empty block as Calico does for live nodes). Returns the released CIDRs.
       */
      async releaseEmptyAffineBlocks(node, keepOne = false) {
        const { items } = await this.ds.list(KIND_AFFINITY, { namePrefix: `${node}-` });
        const mine = items.filter((a) => a.spec.node === node);
        const released = [];
        let kept = false;
        for (const aff of mine) {
          const cidr2 = aff.spec.cidr;
          const b2 = await this.ds.get(KIND_BLOCK, blockName(cidr2));
          const spec = b2?.spec;
          if (spec && inUseCount(spec) > 0) {
            kept = true;
            continue;
          }
          if (keepOne && !kept && spec) {
            kept = true;
            continue;
          }
          if (b2) {
            try {
              await this.ds.delete(KIND_BLOCK, b2.metadata.name, void 0, b2.metadata.resourceVersion);
            } catch (e) {
              if (isConflict(e)) continue;
              throw e;
            }
          }
          await this.ds.delete(KIND_AFFINITY, aff.metadata.name, void 0, aff.metadata.resourceVersion).catch(ignoreConflict);
          released.push(cidr2);
        }
        return released;
      }
    };
  }
});

// src/ipam/report.ts
async function loadSnapshot(ds) {
  const [pools, blocks, affs, handles, cfg, nodes, weps] = await Promise.all([
    ds.list(KIND_POOL),
    ds.list(KIND_BLOCK),
    ds.list(KIND_AFFINITY),
    ds.list(KIND_HANDLE),
    ds.get(KIND_CONFIG, CONFIG_NAME),
    ds.list(KIND_NODE),
    ds.list("WorkloadEndpoint")
  ]);
  const snap = {
    pools: [],
    badPools: [],
    blocks: blocks.items.map((b2) => b2.spec).sort((a, b2) => compareIPv4(a.cidr, b2.cidr)),
    affinities: affs.items,
    handles: handles.items,
    config: configFromResource(cfg),
    nodes: nodes.items,
    workloadEndpoints: weps.items
  };
  for (const p of pools.items) {
    if (isIPv6Pool(p)) continue;
    try {
      snap.pools.push(poolFromResource(p));
    } catch (e) {
      snap.badPools.push({ name: p.metadata.name, reason: e.message });
    }
  }
  snap.pools.sort((a, b2) => compareIPv4(a.cidr, b2.cidr));
  return snap;
}
function usageRows(snap, showBlocks) {
  const rows = [];
  for (const p of snap.pools) {
    const blocks = snap.blocks.filter((b2) => cidrContains3(p.net, parseCidr4(b2.cidr).base));
    const total = cidrSize(p.net);
    const inUse = blocks.reduce((n, b2) => n + inUseCount(b2), 0);
    rows.push({ grouping: "IP Pool", cidr: p.cidr, total, inUse, free: total - inUse });
    if (showBlocks) {
      for (const b2 of blocks) {
        const t = b2.allocations.length;
        const u = inUseCount(b2);
        rows.push({ grouping: "Block", cidr: b2.cidr, total: t, inUse: u, free: t - u });
      }
    }
  }
  return rows;
}
function allAllocations(snap) {
  const out3 = [];
  for (const b2 of snap.blocks) {
    const base = parseCidr4(b2.cidr).base;
    const owner = affinityNode(b2.affinity);
    b2.allocations.forEach((a, ord) => {
      if (a === null) return;
      const attr = b2.attributes[a];
      out3.push({ ip: formatIPv4(base + ord), block: b2.cidr, blockOwner: owner, handle: attr?.handle_id, attrs: { ...attr?.secondary ?? {} } });
    });
  }
  return out3;
}
function borrowedRows(snap) {
  return allAllocations(snap).filter((a) => a.attrs.node !== void 0 && a.attrs.node !== a.blockOwner).map((a) => ({
    ip: a.ip,
    borrowingNode: a.attrs.node,
    block: a.block,
    blockOwner: a.blockOwner ?? "",
    type: a.attrs.type ?? (a.attrs.pod ? "pod" : ""),
    allocatedTo: a.attrs.pod ? `${a.attrs.namespace ?? ""}/${a.attrs.pod}` : a.attrs.node
  }));
}
function lookupIP(snap, ip) {
  const addr = parseIPv4(ip);
  for (const b2 of snap.blocks) {
    const net = parseCidr4(b2.cidr);
    if (!cidrContains3(net, addr)) continue;
    const a = b2.allocations[addr - net.base];
    if (a === null || a === void 0) return void 0;
    const attr = b2.attributes[a];
    return { ip, block: b2.cidr, blockOwner: affinityNode(b2.affinity), handle: attr?.handle_id, attrs: { ...attr?.secondary ?? {} } };
  }
  return void 0;
}
function inUseIPs(snap) {
  const out3 = [];
  for (const n of snap.nodes) {
    const s2 = n.spec ?? {};
    const name = n.metadata.name;
    const ipip = s2.bgp?.ipv4IPIPTunnelAddr;
    if (typeof ipip === "string" && ipip) out3.push({ ip: ipip.split("/")[0], user: `Node(${name}) ipip tunnel`, node: name });
    const vx = s2.ipv4VXLANTunnelAddr;
    if (typeof vx === "string" && vx) out3.push({ ip: vx.split("/")[0], user: `Node(${name}) vxlan tunnel`, node: name });
  }
  for (const w of snap.workloadEndpoints) {
    const s2 = w.spec ?? {};
    for (const net of Array.isArray(s2.ipNetworks) ? s2.ipNetworks : []) {
      const ip = String(net).split("/")[0];
      if (!isIPv42(ip)) continue;
      out3.push({ ip, user: `WorkloadEndpoint(${w.metadata.namespace ?? ""}/${w.metadata.name})`, node: s2.node });
    }
  }
  return out3;
}
function checkIpam(snap) {
  const allocs = allAllocations(snap);
  const used = inUseIPs(snap);
  const usedSet = new Set(used.map((u) => u.ip));
  const allocSet = new Set(allocs.map((a) => a.ip));
  const nodeNames2 = new Set(snap.nodes.map((n) => n.metadata.name));
  const perNode = /* @__PURE__ */ new Map();
  for (const a of allocs) {
    const n = a.attrs.node ?? a.blockOwner ?? "(unknown)";
    perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const topNodes = [...perNode.entries()].map(([node, allocations]) => ({ node, allocations })).sort((a, b2) => b2.allocations - a.allocations || a.node.localeCompare(b2.node)).slice(0, 20);
  const blockByCidr = new Map(snap.blocks.map((b2) => [b2.cidr, b2]));
  const handleNames = new Set(snap.handles.map((h) => h.spec?.handleID ?? h.metadata.name));
  const orphanedHandles = [];
  const handleCountMismatches = [];
  const allocsByHandle = /* @__PURE__ */ new Map();
  for (const a of allocs) {
    if (!a.handle) continue;
    const m = allocsByHandle.get(a.handle) ?? /* @__PURE__ */ new Map();
    m.set(a.block, (m.get(a.block) ?? 0) + 1);
    allocsByHandle.set(a.handle, m);
  }
  for (const h of snap.handles) {
    const id = h.spec?.handleID ?? h.metadata.name;
    const actual = allocsByHandle.get(id);
    if (!actual || actual.size === 0) {
      orphanedHandles.push(id);
      continue;
    }
    const cidrs = /* @__PURE__ */ new Set([...Object.keys(h.spec?.block ?? {}), ...actual.keys()]);
    for (const cidr2 of cidrs) {
      const hc = h.spec?.block?.[cidr2] ?? 0;
      const b2 = blockByCidr.get(cidr2);
      const bc = b2 ? ordinalsOfHandle(b2, id).length : 0;
      if (hc !== bc) handleCountMismatches.push({ handle: id, block: cidr2, handleCount: hc, blockCount: bc });
    }
  }
  const missingHandles = [...new Set(allocs.map((a) => a.handle).filter((h) => !!h && !handleNames.has(h)))].sort();
  const invalidBlocks = snap.blocks.map((b2) => ({ block: b2.cidr, problems: validateBlock(b2) })).filter((x) => x.problems.length);
  const emptyAffineBlocks = snap.blocks.filter((b2) => affinityNode(b2.affinity) !== void 0 && inUseCount(b2) === 0).map((b2) => ({ block: b2.cidr, node: affinityNode(b2.affinity), nodeExists: nodeNames2.has(affinityNode(b2.affinity)) }));
  const danglingAffinities = snap.affinities.filter((a) => a.spec?.state === "confirmed" && a.spec.deleted !== "true" && !blockByCidr.has(a.spec.cidr)).map((a) => ({ affinity: a.metadata.name, node: a.spec.node, cidr: a.spec.cidr }));
  const allocatedNotInUse = allocs.filter((a) => !usedSet.has(a.ip));
  const inUseNotAllocated = used.filter((u) => !allocSet.has(u.ip));
  const problems = allocatedNotInUse.length + inUseNotAllocated.length + orphanedHandles.length + handleCountMismatches.length + missingHandles.length + invalidBlocks.length + emptyAffineBlocks.filter((e) => !e.nodeExists).length + danglingAffinities.length + snap.badPools.length;
  return {
    blocks: snap.blocks.length,
    allocations: allocs.length,
    pools: snap.pools.filter((p) => !p.disabled).map((p) => p.cidr),
    tunnelIPs: used.filter((u) => u.user.startsWith("Node(")).length,
    workloadIPs: used.filter((u) => u.user.startsWith("WorkloadEndpoint(")).length,
    topNodes,
    allocatedNotInUse,
    inUseNotAllocated,
    orphanedHandles: orphanedHandles.sort(),
    handleCountMismatches,
    missingHandles,
    invalidBlocks,
    emptyAffineBlocks,
    danglingAffinities,
    problems
  };
}
function formatCheckReport(r, snap, opts = {}) {
  const L = [];
  L.push("Checking IPAM for inconsistencies...", "", "Loading all IPAM blocks...", `Found ${r.blocks} IPAM blocks.`);
  for (const b2 of snap.blocks) L.push(` IPAM block ${b2.cidr} affinity=${b2.affinity ?? "<none>"}:`);
  L.push(`IPAM blocks record ${r.allocations} allocations.`, "", "Loading all IPAM pools...");
  for (const p of r.pools) L.push(`  ${p}`);
  L.push(`Found ${r.pools.length} active IP pools.`);
  for (const b2 of snap.badPools) L.push(`  invalid IP pool ${b2.name}: ${b2.reason}`);
  L.push("", "Loading all nodes.", `Found ${r.tunnelIPs} node tunnel IPs.`, "", "Loading all workload endpoints.", `Found ${r.workloadIPs} workload IPs.`);
  L.push(`Workloads and nodes are using ${r.tunnelIPs + r.workloadIPs} IPs.`, "");
  if (opts.showAllIPs) {
    for (const u of inUseIPs(snap)) L.push(`  ${u.ip} in use by ${u.user}`);
    L.push("");
  }
  L.push("Looking for top (up to 20) nodes by allocations...");
  for (const t of r.topNodes) L.push(`  ${t.node} has ${t.allocations} allocations`);
  if (r.topNodes.length) {
    const counts = r.topNodes.map((t) => t.allocations).sort((a, b2) => a - b2);
    L.push(`Node with most allocations has ${counts[counts.length - 1]}; median is ${counts[Math.floor(counts.length / 2)]}`);
  }
  L.push("", "Scanning for IPs that are allocated but not actually in use...");
  for (const a of r.allocatedNotInUse) {
    if (opts.showProblemIPs || r.allocatedNotInUse.length <= 50) L.push(`  ${a.ip} leaked; attrs ${JSON.stringify({ handle: a.handle, ...a.attrs })}`);
  }
  L.push(`Found ${r.allocatedNotInUse.length} IPs that are allocated in IPAM but not actually in use.`);
  L.push("Scanning for IPs that are in use by a workload or node but are not allocated in IPAM...");
  for (const u of r.inUseNotAllocated) L.push(`  ${u.ip} in use by ${u.user} but not allocated`);
  const outside = r.inUseNotAllocated.filter((u) => !snap.pools.some((p) => cidrContains3(p.net, parseIPv4(u.ip)))).length;
  L.push(`Found ${outside} in-use IPs that are not in active IP pools.`);
  L.push(`Found ${r.inUseNotAllocated.length - outside} in-use IPs that are in active IP pools but have no corresponding IPAM allocation.`, "");
  L.push("Scanning for IPAM handles with no matching IPs...");
  for (const h of r.orphanedHandles) L.push(`  handle ${h} holds no addresses`);
  for (const m of r.handleCountMismatches) L.push(`  handle ${m.handle} counts ${m.handleCount} in block ${m.block} but the block holds ${m.blockCount}`);
  L.push(`Found ${r.orphanedHandles.length} handles with no matching IPs (and ${snap.handles.length - r.orphanedHandles.length} handles with matching IPs).`);
  L.push("Scanning for IPs with missing handle...");
  for (const h of r.missingHandles) L.push(`  handle ${h} is used by allocations but has no IPAMHandle`);
  L.push(`Found ${r.missingHandles.length} handles mentioned in blocks with no matching handle resource.`);
  L.push("Scanning for invalid blocks...");
  for (const b2 of r.invalidBlocks) L.push(`  block ${b2.block}: ${b2.problems.join("; ")}`);
  L.push(`Found ${r.invalidBlocks.length} invalid blocks.`);
  L.push("Scanning for empty affine blocks...");
  for (const e of r.emptyAffineBlocks) L.push(`  block ${e.block} affine to ${e.node} is empty${e.nodeExists ? "" : " and the node does not exist"}`);
  L.push(`Found ${r.emptyAffineBlocks.length} empty affine blocks (${r.emptyAffineBlocks.filter((e) => !e.nodeExists).length} of nodes that no longer exist).`);
  L.push("Scanning for block affinities with no block...");
  for (const a of r.danglingAffinities) L.push(`  affinity ${a.affinity} (node ${a.node}, ${a.cidr}) has no block`);
  L.push(`Found ${r.danglingAffinities.length} block affinities with no block.`);
  L.push(`Check complete; found ${r.problems} problems.`);
  return L.join("\n") + "\n";
}
var init_report = __esm({
  "src/ipam/report.ts"() {
    "use strict";
    init_ip();
    init_model2();
  }
});

// src/ipam/index.ts
var ipam_exports = {};
__export(ipam_exports, {
  BlockAffinityAllocator: () => BlockAffinityAllocator,
  CONFIG_NAME: () => CONFIG_NAME,
  DEFAULT_IPAM_CONFIG: () => DEFAULT_IPAM_CONFIG,
  DEFAULT_MAX_BLOCKS_PER_HOST: () => DEFAULT_MAX_BLOCKS_PER_HOST,
  EMPTY_BLOCK_MIN_RECLAIM_AGE_MS: () => EMPTY_BLOCK_MIN_RECLAIM_AGE_MS,
  IpamError: () => IpamError,
  KIND_AFFINITY: () => KIND_AFFINITY,
  KIND_BLOCK: () => KIND_BLOCK,
  KIND_CONFIG: () => KIND_CONFIG,
  KIND_HANDLE: () => KIND_HANDLE,
  KIND_NODE: () => KIND_NODE,
  KIND_POOL: () => KIND_POOL,
  TUNNEL_ATTR_TYPE: () => TUNNEL_ATTR_TYPE,
  affinityName: () => affinityName2,
  affinityNode: () => affinityNode,
  allAllocations: () => allAllocations,
  assignOrdinal: () => assignOrdinal,
  assignOrdinals: () => assignOrdinals,
  blockName: () => blockName,
  blockNet: () => blockNet,
  blockOrder: () => blockOrder,
  borrowedRows: () => borrowedRows,
  checkIpam: () => checkIpam,
  configFromResource: () => configFromResource,
  createIpam: () => createIpam,
  effectiveMaxBlocks: () => effectiveMaxBlocks,
  formatCheckReport: () => formatCheckReport,
  freeCount: () => freeCount,
  handleOfOrdinal: () => handleOfOrdinal,
  hostAffinity: () => hostAffinity,
  inUseCount: () => inUseCount,
  inUseIPs: () => inUseIPs,
  ip4: () => ip_exports,
  ipamStats: () => ipamStats,
  isIPv6Pool: () => isIPv6Pool,
  loadSnapshot: () => loadSnapshot,
  lookupIP: () => lookupIP,
  makeResource: () => makeResource,
  newBlockSpec: () => newBlockSpec,
  ordinalToIP: () => ordinalToIP,
  ordinalsOfHandle: () => ordinalsOfHandle,
  poolAllows: () => poolAllows,
  poolFromResource: () => poolFromResource,
  releaseOrdinals: () => releaseOrdinals,
  tunnelHandle: () => tunnelHandle,
  usageRows: () => usageRows,
  validateBlock: () => validateBlock
});
function createIpam(ds, opts) {
  return new BlockAffinityAllocator(ds, opts);
}
var init_ipam = __esm({
  "src/ipam/index.ts"() {
    "use strict";
    init_allocator();
    init_allocator();
    init_model2();
    init_report();
    init_ip();
  }
});

// src/netlink/netns.ts
import { closeSync, openSync, readFileSync as readFileSync4, writeFileSync as writeFileSync2 } from "node:fs";
import { createRequire } from "node:module";
function setns(fd) {
  if (!setnsFn) {
    const require3 = createRequire(import.meta.url);
    const koffi2 = require3("koffi");
    const libc = koffi2.load("libc.so.6");
    setnsFn = libc.func("int setns(int fd, int nstype)");
    errnoFn = () => koffi2.errno();
  }
  if (setnsFn(fd, CLONE_NEWNET) !== 0) {
    const errno = errnoFn();
    const err2 = new Error(`setns failed: errno ${errno}`);
    err2.errno = errno;
    throw err2;
  }
}
function withNetns(path6, fn) {
  if (fn.constructor.name === "AsyncFunction") throw new Error("withNetns: the callback must be synchronous");
  const target = openSync(path6, "r");
  let original;
  try {
    original = openSync(CURRENT_NETNS, "r");
    setns(target);
    try {
      const out3 = fn();
      if (out3 instanceof Promise) throw new Error("withNetns: the callback returned a Promise; keep the switched section synchronous");
      return out3;
    } finally {
      try {
        setns(original);
      } catch (e) {
        process.stderr.write(`FATAL: cannot return to original netns: ${e}
`);
        process.abort();
      }
    }
  } finally {
    if (original !== void 0) closeSync(original);
    closeSync(target);
  }
}
function sysctlPath(key) {
  const m = /^net\.(ipv4|ipv6)\.(conf|neigh)\.(.+)\.([^.]+)$/.exec(key);
  if (m) return `/proc/sys/net/${m[1]}/${m[2]}/${m[3]}/${m[4]}`;
  return "/proc/sys/" + key.replace(/\./g, "/");
}
function readSysctl(key, netns) {
  const read = () => readFileSync4(sysctlPath(key), "utf8").trim();
  return netns ? withNetns(netns, read) : read();
}
function writeSysctl(key, value, netns) {
  const write = () => writeFileSync2(sysctlPath(key), String(value));
  if (netns) withNetns(netns, write);
  else write();
}
var CLONE_NEWNET, setnsFn, errnoFn, CURRENT_NETNS;
var init_netns = __esm({
  "src/netlink/netns.ts"() {
    "use strict";
    CLONE_NEWNET = 1073741824;
    CURRENT_NETNS = "/proc/thread-self/ns/net";
  }
});

// src/netlink/ip.ts
import { isIPv4 as isIPv43, isIPv6 as isIPv62 } from "node:net";
function ipFamily(ip) {
  if (isIPv43(ip)) return 4;
  if (isIPv62(ip)) return 6;
  throw new Error(`invalid IP address "${ip}"`);
}
function ipToBytes(ip) {
  if (isIPv43(ip)) return Buffer.from(ip.split(".").map(Number));
  if (!isIPv62(ip)) throw new Error(`invalid IP address "${ip}"`);
  let text = ip;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const b2 = v4tail[1].split(".").map(Number);
    text = text.slice(0, -v4tail[1].length) + (b2[0] << 8 | b2[1]).toString(16) + ":" + (b2[2] << 8 | b2[3]).toString(16);
  }
  const [head, tail2] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail2 !== void 0 && tail2 !== "" ? tail2.split(":") : [];
  const groups = tail2 === void 0 ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const out3 = Buffer.alloc(16);
  groups.forEach((g, i) => out3.writeUInt16BE(parseInt(g, 16), i * 2));
  return out3;
}
function bytesToIp(b2) {
  if (b2.length === 4) return Array.from(b2).join(".");
  if (b2.length !== 16) throw new Error(`address of ${b2.length} bytes`);
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(b2[i] << 8 | b2[i + 1]);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return hex.slice(0, best).join(":") + "::" + hex.slice(best + bestLen).join(":");
}
function parseCidr2(text, familyHint = 4) {
  if (text === "default") return familyHint === 6 ? { ip: "::", prefix: 0, family: 6 } : { ip: "0.0.0.0", prefix: 0, family: 4 };
  const [ip, p] = text.split("/");
  const family2 = ipFamily(ip);
  const max = family2 === 4 ? 32 : 128;
  const prefix = p === void 0 ? max : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || p !== void 0 && !/^\d+$/.test(p)) {
    throw new Error(`invalid CIDR "${text}"`);
  }
  return { ip, prefix, family: family2 };
}
function macToBytes(mac2) {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac2)) throw new Error(`invalid MAC address "${mac2}"`);
  return Buffer.from(mac2.split(":").map((x) => parseInt(x, 16)));
}
function bytesToMac(b2) {
  return Array.from(b2).map((x) => x.toString(16).padStart(2, "0")).join(":");
}
var init_ip2 = __esm({
  "src/netlink/ip.ts"() {
    "use strict";
  }
});

// src/netlink/index.ts
import { createRequire as createRequire2 } from "node:module";
function nl() {
  return nlmod ??= require2("netlink");
}
function isNetlinkError(e, ...codes) {
  return e instanceof NetlinkError && (codes.length === 0 || codes.includes(e.code));
}
async function call(op, p) {
  try {
    return await p;
  } catch (e) {
    const m = /Request rejected: (\S+)/.exec(String(e?.message ?? e));
    if (m) throw new NetlinkError(m[1], op);
    throw e;
  }
}
function afOf(f) {
  return f === 4 ? AF_INET : AF_INET6;
}
function famOf(af) {
  return af === AF_INET6 ? 6 : 4;
}
function serialize(data) {
  const s2 = new (nl()).AttrStream();
  s2.emit(data);
  return Buffer.concat(s2.bufs);
}
var require2, nlmod, RECV_BUFFER, SEND_BUFFER, F_CREATE, F_EXCL, F_REPLACE, F_APPEND, RTNH_F_ONLINK, AF_INET, AF_INET6, AF_BRIDGE, NetlinkError, SCOPES, TYPES, RTPROT, Netlink;
var init_netlink = __esm({
  "src/netlink/index.ts"() {
    "use strict";
    init_netns();
    init_ip2();
    init_ip2();
    init_netns();
    require2 = createRequire2(import.meta.url);
    RECV_BUFFER = 4 << 20;
    SEND_BUFFER = 1 << 20;
    F_CREATE = 1024;
    F_EXCL = 512;
    F_REPLACE = 256;
    F_APPEND = 2048;
    RTNH_F_ONLINK = 4;
    AF_INET = 2;
    AF_INET6 = 10;
    AF_BRIDGE = 7;
    NetlinkError = class extends Error {
      constructor(code, op) {
        super(`${op}: ${code}`);
        this.code = code;
        this.op = op;
        this.name = "NetlinkError";
      }
      code;
      op;
    };
    SCOPES = { universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
    TYPES = { unicast: 1, local: 2, broadcast: 3, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9 };
    RTPROT = { redirect: 1, kernel: 2, boot: 3, static: 4, bird: 12, dhcp: 16 };
    Netlink = class _Netlink {
      constructor(sock) {
        this.sock = sock;
      }
      sock;
      static open(opts = {}) {
        const create = () => nl().createRtNetlink({ recvBufferSize: RECV_BUFFER, sendBufferSize: SEND_BUFFER });
        return new _Netlink(opts.netns ? withNetns(opts.netns, create) : create());
      }
      close() {
        this.sock.socket.close();
      }
      // ---- links ---------------------------------------------------------------------------------------
      toLink(m) {
        let kind;
        if (m.attrs.linkinfo) {
          try {
            kind = nl().ifla.parseInfo(m.attrs.linkinfo).kind;
          } catch {
          }
        }
        const flags = m.data.flags ?? {};
        const link = m.attrs.link;
        return {
          index: m.data.index ?? 0,
          name: m.attrs.ifname ?? "",
          mtu: m.attrs.mtu ?? 0,
          mac: m.attrs.address ? bytesToMac(m.attrs.address) : "",
          up: !!flags.up,
          lowerUp: !!flags.lowerUp,
          kind,
          parentIndex: typeof link === "number" ? link : Buffer.isBuffer(link) && link.length >= 4 ? link.readUInt32LE(0) : void 0,
          master: m.attrs.master
        };
      }
      async listLinks() {
        return (await call("list links", this.sock.getLinks())).map((m) => this.toLink(m));
      }
      /** The link named `name`, or undefined when there is none. */
      async getLink(name) {
        try {
          const r = await call(`get link ${name}`, this.sock.getLink({}, { ifname: name }));
          return r[0] ? this.toLink(r[0]) : void 0;
        } catch (e) {
          if (isNetlinkError(e, "ENODEV", "ENOENT")) return void 0;
          throw e;
        }
      }
      async getLinkByIndex(index) {
        try {
          const r = await call(`get link #${index}`, this.sock.getLink({ index }));
          return r[0] ? this.toLink(r[0]) : void 0;
        } catch (e) {
          if (isNetlinkError(e, "ENODEV", "ENOENT")) return void 0;
          throw e;
        }
      }
      async mustGetLink(name) {
        const l = await this.getLink(name);
        if (!l) throw new NetlinkError("ENODEV", `link ${name} not found`);
        return l;
      }
      /** Creates a veth pair; the peer can be created straight into another namespace (peerNetnsFd). */
      async createVeth(o) {
        const { ifla, rt } = nl();
        const peerAttrs = { ifname: o.peerName };
        if (o.peerMtu ?? o.mtu) peerAttrs.mtu = o.peerMtu ?? o.mtu;
        if (o.peerMac) peerAttrs.address = macToBytes(o.peerMac);
        if (o.peerNetnsFd !== void 0) peerAttrs.netNsFd = o.peerNetnsFd;
        if (o.numQueues && o.numQueues > 1) {
          peerAttrs.numTxQueues = o.numQueues;
          peerAttrs.numRxQueues = o.numQueues;
        }
        const peer = Buffer.concat([rt.formatLink({}), serialize(ifla.formatLinkAttrs(peerAttrs))]);
        const attrs = {
          ifname: o.name,
          linkinfo: serialize(ifla.formatInfo({ kind: "veth", data: serialize(ifla.formatVethInfo({ peer })) }))
        };
        if (o.mtu) attrs.mtu = o.mtu;
        if (o.mac) attrs.address = macToBytes(o.mac);
        if (o.numQueues && o.numQueues > 1) {
          attrs.numTxQueues = o.numQueues;
          attrs.numRxQueues = o.numQueues;
        }
        await call(`create veth ${o.name}`, this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
        return this.mustGetLink(o.name);
      }
      /** Creates a VXLAN device (nolearning by default, as Felix does). */
      async createVxlan(o) {
        const { ifla } = nl();
        const port3 = Buffer.alloc(2);
        port3.writeUInt16BE(o.port);
        const vx = { id: o.vni, port: port3, learning: o.learning ? 1 : 0 };
        if (o.local) vx.local = ipToBytes(o.local);
        if (o.link !== void 0) vx.link = o.link;
        const attrs = {
          ifname: o.name,
          linkinfo: serialize(ifla.formatInfo({ kind: "vxlan", data: serialize(ifla.formatVxlan(vx)) }))
        };
        if (o.mtu) attrs.mtu = o.mtu;
        if (o.mac) attrs.address = macToBytes(o.mac);
        await call(`create vxlan ${o.name}`, this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
        return this.mustGetLink(o.name);
      }
      /** Creates a link of a kind that needs no extra data (e.g. 'bridge'). */
      async createLink(name, kind, mtu) {
        const { ifla } = nl();
        const attrs = { ifname: name, linkinfo: serialize(ifla.formatInfo({ kind })) };
        if (mtu) attrs.mtu = mtu;
        await call(`create ${kind} ${name}`, this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
        return this.mustGetLink(name);
      }
      async setLinkUp(index, up = true) {
        await call(
          `set link #${index} ${up ? "up" : "down"}`,
          this.sock.setLink({ index, flags: up ? { up: true } : {}, change: { up: true } })
        );
      }
      async setMtu(index, mtu) {
        await call(`set link #${index} mtu ${mtu}`, this.sock.setLink({ index }, { mtu }));
      }
      async setMac(index, mac2) {
        await call(`set link #${index} address ${mac2}`, this.sock.setLink({ index }, { address: macToBytes(mac2) }));
      }
      async setName(index, name) {
        await call(`rename link #${index} to ${name}`, this.sock.setLink({ index }, { ifname: name }));
      }
      async setMaster(index, masterIndex) {
        await call(`set link #${index} master #${masterIndex}`, this.sock.setLink({ index }, { master: masterIndex }));
      }
      /** Moves a link into the namespace behind the open fd `netnsFd`. */
      async moveToNetns(index, netnsFd) {
        await call(`move link #${index} to netns`, this.sock.setLink({ index }, { netNsFd: netnsFd }));
      }
      async deleteLink(index) {
        await call(`delete link #${index}`, this.sock.delLink({ index }));
      }
      /** Deletes the link named `name` if present; returns whether it existed. */
      async deleteLinkByName(name) {
        const l = await this.getLink(name);
        if (!l) return false;
        try {
          await this.deleteLink(l.index);
        } catch (e) {
          if (isNetlinkError(e, "ENODEV")) return false;
          throw e;
        }
        return true;
      }
      // ---- addresses -----------------------------------------------------------------------------------
      /** Adds `cidr` (e.g. 10.0.0.5/32) to the link; IPv6 gets nodad unless dad is asked for. */
      async addAddress(index, cidr2, opts = {}) {
        const c = parseCidr2(cidr2);
        const addr = ipToBytes(c.ip);
        await call(`add address ${cidr2} to #${index}`, this.sock.newAddress(
          { family: afOf(c.family), prefixlen: c.prefix, index, flags: c.family === 6 && !opts.dad ? { nodad: true } : {} },
          { local: addr, address: addr },
          { flags: F_CREATE | (opts.replace ? F_REPLACE : F_EXCL) }
        ));
      }
      async delAddress(index, cidr2) {
        const c = parseCidr2(cidr2);
        const addr = ipToBytes(c.ip);
        await call(
          `delete address ${cidr2} from #${index}`,
          this.sock.delAddress({ family: afOf(c.family), prefixlen: c.prefix, index }, { local: addr, address: addr })
        );
      }
      /** Addresses, optionally only of one link and/or family. */
      async listAddresses(filter = {}) {
        const req = filter.family ? { family: afOf(filter.family) } : {};
        const msgs = await call("list addresses", this.sock.getAddresses(req));
        const out3 = [];
        for (const m of msgs) {
          if (filter.index !== void 0 && m.data.index !== filter.index) continue;
          const raw = m.attrs.local ?? m.attrs.address;
          if (!raw) continue;
          const ip = bytesToIp(raw);
          const prefix = m.data.prefixlen ?? 0;
          out3.push({ index: m.data.index ?? 0, family: famOf(m.data.family), ip, prefix, cidr: `${ip}/${prefix}` });
        }
        return out3;
      }
      // ---- routes --------------------------------------------------------------------------------------
      routeMsg(r) {
        const c = parseCidr2(r.dst, r.family ?? (r.gateway ? ipFamily(r.gateway) : 4));
        const table2 = r.table ?? 254;
        const data = {
          family: afOf(c.family),
          dstLen: c.prefix,
          table: table2 < 256 ? table2 : 252,
          protocol: r.protocol ?? RTPROT.boot,
          scope: r.scope !== void 0 ? SCOPES[r.scope] : r.type && r.type !== "unicast" ? 0 : r.gateway ? 0 : 253,
          type: r.type ? TYPES[r.type] : 1,
          flags: r.onlink ? { __unknown: RTNH_F_ONLINK } : {}
        };
        if (r.scope === void 0 && r.type === "local") data.scope = SCOPES.host;
        const attrs = {};
        if (c.prefix > 0) attrs.dst = ipToBytes(c.ip);
        if (r.gateway) attrs.gateway = ipToBytes(r.gateway);
        if (r.oif !== void 0) attrs.oif = r.oif;
        if (table2 >= 256) attrs.table = table2;
        if (r.metric !== void 0) attrs.priority = r.metric;
        if (r.src) attrs.prefsrc = ipToBytes(r.src);
        return [data, attrs];
      }
      /** Adds a route; EEXIST when an equal route is present. */
      async addRoute(r) {
        const [d, a] = this.routeMsg(r);
        await call(`add route ${r.dst}`, this.sock.newRoute(d, a, { flags: F_CREATE | F_EXCL }));
      }
      /** Adds or replaces the route for this destination/table/metric (`ip route replace`). */
      async replaceRoute(r) {
        const [d, a] = this.routeMsg(r);
        await call(`replace route ${r.dst}`, this.sock.newRoute(d, a, { flags: F_CREATE | F_REPLACE }));
      }
      /** Appends a route (another next hop for the same prefix with a different metric etc.). */
      async appendRoute(r) {
        const [d, a] = this.routeMsg(r);
        await call(`append route ${r.dst}`, this.sock.newRoute(d, a, { flags: F_CREATE | F_APPEND }));
      }
      /** Deletes the route matching the spec; ESRCH when absent. Protocol/scope are only matched when given. */
      async delRoute(r) {
        const [d, a] = this.routeMsg(r);
        if (r.protocol === void 0) d.protocol = 0;
        if (r.scope === void 0) d.scope = SCOPES.nowhere;
        if (r.type === void 0) d.type = 0;
        await call(`delete route ${r.dst}`, this.sock.delRoute(d, a));
      }
      /** Routes of one family; filter by table (default main; 'all' for every table) and/or oif. */
      async listRoutes(filter = {}) {
        const family2 = filter.family ?? 4;
        const msgs = await call("list routes", this.sock.getRoutes({ family: afOf(family2) }));
        const out3 = [];
        const revScope = new Map(Object.entries(SCOPES).map(([k, v]) => [v, k]));
        const revType = new Map(Object.entries(TYPES).map(([k, v]) => [v, k]));
        for (const m of msgs) {
          const table2 = m.attrs.table ?? m.data.table ?? 0;
          if ((filter.table ?? 254) !== "all" && table2 !== (filter.table ?? 254)) continue;
          if (filter.oif !== void 0 && m.attrs.oif !== filter.oif) continue;
          const num2 = (v, enumObj) => typeof v === "number" ? v : typeof v === "string" ? Number(enumObj[v] ?? 0) : 0;
          const { rt } = nl();
          const scopeN = num2(m.data.scope, rt.RouteScope);
          const typeN = num2(m.data.type, rt.RouteType);
          const protoN = num2(m.data.protocol, rt.RouteProtocol);
          const flagsRaw = m.data.flags;
          const dst = m.attrs.dst ? bytesToIp(m.attrs.dst) : family2 === 4 ? "0.0.0.0" : "::";
          out3.push({
            family: family2,
            dst: `${dst}/${m.data.dstLen ?? 0}`,
            gateway: m.attrs.gateway ? bytesToIp(m.attrs.gateway) : void 0,
            oif: m.attrs.oif,
            scope: revScope.get(scopeN) ?? scopeN,
            protocol: protoN,
            table: table2,
            type: revType.get(typeN) ?? typeN,
            onlink: !!((flagsRaw?.__unknown ?? 0) & RTNH_F_ONLINK),
            metric: m.attrs.priority,
            src: m.attrs.prefsrc ? bytesToIp(m.attrs.prefsrc) : void 0
          });
        }
        return out3;
      }
      // ---- neighbours and FDB --------------------------------------------------------------------------
      neighMsg(n) {
        const data = {
          family: n.family,
          ifindex: n.ifindex,
          state: n.permanent === false ? { reachable: true } : { permanent: true },
          flags: { ...n.self ? { self: true } : {}, ...n.proxy ? { proxy: true } : {} }
        };
        const attrs = {};
        if (n.dst) attrs.dst = ipToBytes(n.dst);
        if (n.lladdr) attrs.lladdr = macToBytes(n.lladdr);
        return [data, attrs];
      }
      /** Adds or replaces a neighbour (ARP/ND) entry. */
      async replaceNeighbor(n) {
        const [d, a] = this.neighMsg(n);
        await call(`replace neighbour ${n.dst ?? n.lladdr}`, this.sock.newNeighbor(d, a, { flags: F_CREATE | F_REPLACE }));
      }
      /**
       * Adds an FDB entry on a VXLAN device (`bridge fdb append <mac> dev <vx> dst <ip> self permanent`).
       * APPEND, as the kernel wants for vxlan FDB entries with a remote.
       */
      async appendFdb(ifindex, lladdr, dst) {
        const [d, a] = this.neighMsg({ family: AF_BRIDGE, ifindex, lladdr, dst, self: true });
        await call(`append fdb ${lladdr} dst ${dst}`, this.sock.newNeighbor(d, a, { flags: F_CREATE | F_APPEND }));
      }
      /** Replaces the FDB entry for a MAC (`bridge fdb replace … self permanent`). */
      async replaceFdb(ifindex, lladdr, dst) {
        const [d, a] = this.neighMsg({ family: AF_BRIDGE, ifindex, lladdr, dst, self: true });
        await call(`replace fdb ${lladdr} dst ${dst}`, this.sock.newNeighbor(d, a, { flags: F_CREATE | F_REPLACE }));
      }
      async delNeighbor(n) {
        const [d, a] = this.neighMsg(n);
        await call(`delete neighbour ${n.dst ?? n.lladdr}`, this.sock.delNeighbor(d, a));
      }
      /** Neighbours of a family: AF_INET/AF_INET6 for ARP/ND, AF_BRIDGE (7) for the FDB. */
      async listNeighbors(family2, ifindex) {
        const msgs = await call("list neighbours", this.sock.getNeighbors({ family: family2 }));
        const out3 = [];
        for (const m of msgs) {
          if (ifindex !== void 0 && m.data.ifindex !== ifindex) continue;
          const st = m.data.state ?? {};
          const { rt } = nl();
          out3.push({
            family: m.data.family ?? family2,
            ifindex: m.data.ifindex ?? 0,
            dst: m.attrs.dst ? bytesToIp(m.attrs.dst) : void 0,
            lladdr: m.attrs.lladdr ? bytesToMac(m.attrs.lladdr) : void 0,
            permanent: !!st.permanent,
            state: rt.formatNeighborState(st),
            self: !!m.data.flags?.self,
            master: m.attrs.master
          });
        }
        return out3;
      }
    };
  }
});

// src/agent/dataplane/exec.ts
import { spawn } from "node:child_process";
function execIn(netns, argv, timeoutMs = 3e4) {
  return new Promise((resolve4, reject) => {
    const start = () => spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let child;
    try {
      child = netns ? withNetns(netns, start) : start();
    } catch (e) {
      reject(e);
      return;
    }
    const out3 = [];
    const err2 = [];
    child.stdout.on("data", (c) => out3.push(c));
    child.stderr.on("data", (c) => err2.push(c));
    child.on("error", reject);
    child.on("close", (code) => resolve4({ code: code ?? 1, stdout: Buffer.concat(out3).toString("utf8"), stderr: Buffer.concat(err2).toString("utf8") }));
  });
}
async function mustExecIn(netns, argv, timeoutMs) {
  const r = await execIn(netns, argv, timeoutMs);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}
var init_exec = __esm({
  "src/agent/dataplane/exec.ts"() {
    "use strict";
    init_netns();
  }
});

// src/agent/dataplane/netlink-kernel.ts
var netlink_kernel_exports = {};
__export(netlink_kernel_exports, {
  NetlinkKernel: () => NetlinkKernel
});
import { writeFileSync as writeFileSync3, unlinkSync, mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as join4 } from "node:path";
var NetlinkKernel;
var init_netlink_kernel = __esm({
  "src/agent/dataplane/netlink-kernel.ts"() {
    "use strict";
    init_netlink();
    init_exec();
    NetlinkKernel = class {
      /** `netns`: a namespace path such as /run/netns/x; omitted = the process's own namespace. */
      constructor(netns) {
        this.netns = netns;
        this.nl = Netlink.open(netns ? { netns } : {});
      }
      netns;
      nl;
      names = /* @__PURE__ */ new Map();
      indexes = /* @__PURE__ */ new Map();
      close() {
        this.nl.close();
      }
      async refreshLinks() {
        const links = (await this.nl.listLinks()).map((l) => ({ index: l.index, name: l.name, mtu: l.mtu, mac: l.mac, up: l.up, kind: l.kind }));
        this.names = new Map(links.map((l) => [l.index, l.name]));
        this.indexes = new Map(links.map((l) => [l.name, l.index]));
        return links;
      }
      async indexOf(name) {
        let i = this.indexes.get(name);
        if (i === void 0) {
          await this.refreshLinks();
          i = this.indexes.get(name);
        }
        if (i === void 0) throw Object.assign(new Error(`link ${name} not found`), { code: "ENODEV" });
        return i;
      }
      /** A stale name→index cache shows up as ENODEV: refresh once and retry. */
      async withIndex(name, fn) {
        const idx = await this.indexOf(name);
        try {
          return await fn(idx);
        } catch (e) {
          if (!isNetlinkError(e, "ENODEV")) throw e;
          this.indexes.delete(name);
          return fn(await this.indexOf(name));
        }
      }
      async listRoutes() {
        await this.refreshLinks();
        const routes = await this.nl.listRoutes({ family: 4, table: 254 });
        return routes.map((r) => ({
          dst: r.dst,
          type: r.type === "unicast" ? "unicast" : r.type === "blackhole" ? "blackhole" : "other",
          dev: r.oif !== void 0 ? this.names.get(r.oif) : void 0,
          gateway: r.gateway,
          onlink: r.onlink,
          scope: r.scope === "link" ? "link" : r.scope === "universe" ? "universe" : "other",
          proto: r.protocol,
          metric: r.metric
        }));
      }
      async replaceRoute(r) {
        const spec = { dst: r.dst, type: r.type, gateway: r.gateway, onlink: r.onlink, scope: r.scope, protocol: r.proto };
        if (r.dev) await this.withIndex(r.dev, (oif) => this.nl.replaceRoute({ ...spec, oif }));
        else await this.nl.replaceRoute(spec);
      }
      async deleteRoute(r) {
        const oif = r.dev ? this.indexes.get(r.dev) : void 0;
        try {
          await this.nl.delRoute({
            dst: r.dst,
            protocol: r.proto,
            type: r.type === "blackhole" ? "blackhole" : r.type === "unicast" ? "unicast" : void 0,
            ...oif !== void 0 ? { oif } : {},
            ...r.gateway ? { gateway: r.gateway } : {},
            ...r.metric !== void 0 ? { metric: r.metric } : {}
          });
        } catch (e) {
          if (isNetlinkError(e, "ESRCH", "ENOENT")) return;
          throw e;
        }
      }
      async getLink(name) {
        const l = await this.nl.getLink(name);
        if (!l) return void 0;
        this.indexes.set(name, l.index);
        return { index: l.index, name: l.name, mtu: l.mtu, mac: l.mac, up: l.up, kind: l.kind };
      }
      listLinks() {
        return this.refreshLinks();
      }
      async vxlanParams(name) {
        const r = await execIn(this.netns, ["ip", "-d", "-j", "link", "show", "dev", name]);
        if (r.code !== 0) return void 0;
        const info = JSON.parse(r.stdout)[0]?.linkinfo;
        if (info?.info_kind !== "vxlan") return void 0;
        const d = info.info_data ?? {};
        const parentIndex = typeof d.link === "string" ? await this.indexOf(d.link).catch(() => void 0) : void 0;
        return { vni: d.id, port: d.port, local: d.local, parentIndex, learning: d.learning !== false };
      }
      async createVxlan(o) {
        const l = await this.nl.createVxlan({ name: o.name, vni: o.vni, port: o.port, local: o.local, link: o.parentIndex, learning: false, mac: o.mac, mtu: o.mtu });
        this.indexes.set(o.name, l.index);
      }
      async deleteLink(name) {
        await this.nl.deleteLinkByName(name);
        this.indexes.delete(name);
      }
      async setLinkUp(name) {
        await this.withIndex(name, (i) => this.nl.setLinkUp(i, true));
      }
      async setLinkMtu(name, mtu) {
        await this.withIndex(name, (i) => this.nl.setMtu(i, mtu));
      }
      async setLinkMac(name, mac2) {
        await this.withIndex(name, (i) => this.nl.setMac(i, mac2));
      }
      async listAddresses(name) {
        const idx = await this.indexOf(name);
        return (await this.nl.listAddresses({ index: idx, family: 4 })).map((a) => a.cidr);
      }
      async addAddress(name, cidr2) {
        await this.withIndex(name, (i) => this.nl.addAddress(i, cidr2, { replace: true }));
      }
      async delAddress(name, cidr2) {
        await this.withIndex(name, (i) => this.nl.delAddress(i, cidr2));
      }
      async listNeighbors(dev) {
        const idx = await this.indexOf(dev);
        return (await this.nl.listNeighbors(AF_INET, idx)).filter((n) => n.dst && n.lladdr).map((n) => ({ ip: n.dst, mac: n.lladdr, permanent: n.permanent }));
      }
      async replaceNeighbor(dev, ip, mac2) {
        await this.withIndex(dev, (ifindex) => this.nl.replaceNeighbor({ family: AF_INET, ifindex, dst: ip, lladdr: mac2, permanent: true }));
      }
      async deleteNeighbor(dev, ip) {
        await this.withIndex(dev, (ifindex) => this.nl.delNeighbor({ family: AF_INET, ifindex, dst: ip }));
      }
      async listFdb(dev) {
        const idx = await this.indexOf(dev);
        return (await this.nl.listNeighbors(AF_BRIDGE, idx)).filter((n) => n.dst && n.lladdr && n.self).map((n) => ({ mac: n.lladdr, dst: n.dst }));
      }
      async replaceFdb(dev, mac2, dst) {
        await this.withIndex(dev, (i) => this.nl.replaceFdb(i, mac2, dst));
      }
      async deleteFdb(dev, mac2, dst) {
        await this.withIndex(dev, (ifindex) => this.nl.delNeighbor({ family: AF_BRIDGE, ifindex, lladdr: mac2, dst, self: true }));
      }
      async routeGet(ip) {
        const r = await execIn(this.netns, ["ip", "-j", "route", "get", ip]);
        if (r.code !== 0) return void 0;
        const first = JSON.parse(r.stdout)[0];
        return first ? { dev: first.dev, src: first.prefsrc } : void 0;
      }
      async readSysctl(key) {
        try {
          return readSysctl(key, this.netns);
        } catch {
          return void 0;
        }
      }
      async writeSysctl(key, value) {
        writeSysctl(key, value, this.netns);
      }
      async nftApply(script) {
        const dir = mkdtempSync(join4(tmpdir(), "tabby-nft-"));
        const file = join4(dir, "rules.nft");
        try {
          writeFileSync3(file, script);
          await mustExecIn(this.netns, ["nft", "-f", file]);
        } finally {
          try {
            unlinkSync(file);
            rmdirSync(dir);
          } catch {
          }
        }
      }
      async nftListTable(family2, name) {
        const r = await execIn(this.netns, ["nft", "-j", "list", "table", family2, name]);
        if (r.code !== 0) return void 0;
        return JSON.parse(r.stdout).nftables;
      }
    };
  }
});

// src/agent/calc/model.ts
function encapMode(v, field, problems) {
  if (v === void 0 || v === null || v === "") return "Never";
  if (v === "Never" || v === "Always" || v === "CrossSubnet") return v;
  problems.push(`${field} "${String(v)}" is not Never, Always or CrossSubnet`);
  return "Never";
}
function parsePool(r) {
  const s2 = r.spec ?? {};
  const id = `IPPool(${r.metadata.name})`;
  if (typeof s2.cidr !== "string") return { resource: id, reason: "spec.cidr missing" };
  if (s2.cidr.includes(":")) return { resource: id, reason: "IPv6 pools are not handled by the agent" };
  let net;
  try {
    net = parseCidr4(s2.cidr);
  } catch (e) {
    return { resource: id, reason: e.message };
  }
  const problems = [];
  const pool = {
    name: r.metadata.name,
    cidr: formatCidr4(net),
    net,
    ipipMode: encapMode(s2.ipipMode, "ipipMode", problems),
    vxlanMode: encapMode(s2.vxlanMode, "vxlanMode", problems),
    natOutgoing: s2.natOutgoing === true,
    disabled: s2.disabled === true
  };
  if (problems.length) return { resource: id, reason: problems.join("; ") };
  return pool;
}
function macFromDigest(digest) {
  return [102, ...digest.subarray(0, 5)].map((b2) => b2.toString(16).padStart(2, "0")).join(":");
}
function parseNode2(r, defaultMac) {
  const s2 = r.spec ?? {};
  const id = `Node(${r.metadata.name})`;
  const node = { name: r.metadata.name, vxlanTunnelMac: defaultMac(r.metadata.name) };
  const addr = s2.bgp?.ipv4Address;
  if (typeof addr === "string" && addr !== "") {
    const ip = addr.split("/")[0];
    try {
      parseIPv4(ip);
      node.ipv4 = ip;
      node.ipv4Cidr = addr.includes("/") ? addr : `${ip}/32`;
      parseCidr4(node.ipv4Cidr);
    } catch (e) {
      return { resource: id, reason: `spec.bgp.ipv4Address: ${e.message}` };
    }
  }
  const vx = s2.ipv4VXLANTunnelAddr;
  if (typeof vx === "string" && vx !== "") {
    const ip = vx.split("/")[0];
    try {
      parseIPv4(ip);
      node.vxlanTunnelAddr = ip;
    } catch (e) {
      return { resource: id, reason: `spec.ipv4VXLANTunnelAddr: ${e.message}` };
    }
  }
  if (typeof s2.vxlanTunnelMACAddr === "string" && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(s2.vxlanTunnelMACAddr)) {
    node.vxlanTunnelMac = s2.vxlanTunnelMACAddr.toLowerCase();
  }
  const ipip = s2.bgp?.ipv4IPIPTunnelAddr;
  if (typeof ipip === "string" && ipip !== "") {
    const ip = ipip.split("/")[0];
    try {
      parseIPv4(ip);
      node.ipipTunnelAddr = ip;
    } catch (e) {
      return { resource: id, reason: `spec.bgp.ipv4IPIPTunnelAddr: ${e.message}` };
    }
  }
  return node;
}
function parseBlock(r) {
  const s2 = r.spec ?? {};
  const id = `IPAMBlock(${r.metadata.name})`;
  if (s2.deleted === true) return void 0;
  if (typeof s2.cidr !== "string") return { resource: id, reason: "spec.cidr missing" };
  if (s2.cidr.includes(":")) return void 0;
  let net;
  try {
    net = parseCidr4(s2.cidr);
  } catch (e) {
    return { resource: id, reason: e.message };
  }
  const aff = typeof s2.affinity === "string" && s2.affinity.startsWith("host:") ? s2.affinity.slice(5) : void 0;
  return { cidr: formatCidr4(net), net, affinityNode: aff || void 0 };
}
function parseWorkload(r) {
  const s2 = r.spec ?? {};
  const key = `${r.metadata.namespace ?? ""}/${r.metadata.name}`;
  const id = `WorkloadEndpoint(${key})`;
  if (typeof s2.node !== "string" || s2.node === "") return { resource: id, reason: "spec.node missing" };
  if (typeof s2.interfaceName !== "string" || s2.interfaceName === "") return { resource: id, reason: "spec.interfaceName missing" };
  const ipv4s = [];
  for (const n of Array.isArray(s2.ipNetworks) ? s2.ipNetworks : []) {
    if (typeof n !== "string" || n.includes(":")) continue;
    const ip = n.split("/")[0];
    try {
      parseIPv4(ip);
      ipv4s.push(ip);
    } catch {
      return { resource: id, reason: `bad ipNetworks entry "${n}"` };
    }
  }
  return { key, node: s2.node, interfaceName: s2.interfaceName, ipv4s };
}
function isProblem(v) {
  return typeof v === "object" && v !== null && "reason" in v && "resource" in v;
}
function inCidr(ip, cidr2) {
  return cidrContains3(parseCidr4(cidr2), parseIPv4(ip));
}
var init_model3 = __esm({
  "src/agent/calc/model.ts"() {
    "use strict";
    init_ip();
  }
});

// src/agent/calc/types.ts
var PROTO_BOOT, PROTO_BIRD, PROTO_AGENT, VXLAN_DEVICE, VXLAN_VNI, VXLAN_PORT, IPIP_DEVICE, VXLAN_OVERHEAD, IPIP_OVERHEAD;
var init_types2 = __esm({
  "src/agent/calc/types.ts"() {
    "use strict";
    PROTO_BOOT = 3;
    PROTO_BIRD = 12;
    PROTO_AGENT = 80;
    VXLAN_DEVICE = "vxlan.calico";
    VXLAN_VNI = 4096;
    VXLAN_PORT = 4789;
    IPIP_DEVICE = "tunl0";
    VXLAN_OVERHEAD = 50;
    IPIP_OVERHEAD = 20;
  }
});

// src/agent/calc/vtep-mac.ts
import { createHash as createHash2 } from "node:crypto";
function vtepMacForNode(nodeName, ipv6 = false) {
  return macFromDigest(createHash2("sha1").update(ipv6 ? `${nodeName}-v6` : nodeName).digest());
}
var init_vtep_mac = __esm({
  "src/agent/calc/vtep-mac.ts"() {
    "use strict";
    init_model3();
  }
});

// src/agent/calc/graph.ts
function indexSnapshot(snap) {
  const problems = [];
  const pools = [];
  for (const r of snap.items("IPPool")) {
    const p = parsePool(r);
    if (isProblem(p)) {
      if (!/IPv6/.test(p.reason)) problems.push(`${p.resource}: ${p.reason}`);
    } else pools.push(p);
  }
  const nodes = /* @__PURE__ */ new Map();
  for (const r of snap.items("Node")) {
    const n = parseNode2(r, (name) => vtepMacForNode(name));
    if (isProblem(n)) problems.push(`${n.resource}: ${n.reason}`);
    else nodes.set(n.name, n);
  }
  const blocks = [];
  for (const r of snap.items("IPAMBlock")) {
    const b2 = parseBlock(r);
    if (b2 === void 0) continue;
    if (isProblem(b2)) problems.push(`${b2.resource}: ${b2.reason}`);
    else blocks.push(b2);
  }
  const weps = [];
  for (const r of snap.items("WorkloadEndpoint")) {
    const w = parseWorkload(r);
    if (isProblem(w)) problems.push(`${w.resource}: ${w.reason}`);
    else weps.push(w);
  }
  pools.sort((a, b2) => b2.net.prefix - a.net.prefix);
  return { pools, nodes, blocks, weps, problems };
}
function poolForIp(pools, ip) {
  return pools.find((p) => cidrContains3(p.net, ip));
}
function calculate(snap, ctx) {
  const ix = indexSnapshot(snap);
  const { pools, nodes, blocks, weps, problems } = ix;
  const me = nodes.get(ctx.nodeName);
  const routes = /* @__PURE__ */ new Map();
  const put = (r) => {
    const old = routes.get(r.dst);
    if (!old || PRIORITY[r.class] > PRIORITY[old.class]) routes.set(r.dst, r);
  };
  const vxlanEnabled = pools.some((p) => p.vxlanMode !== "Never");
  const ipipEnabled = pools.some((p) => p.ipipMode !== "Never");
  const localSubnet = me?.ipv4Cidr;
  const sameSubnet = (remoteIp) => localSubnet !== void 0 && inCidr(remoteIp, localSubnet);
  const remoteRoute = (dst, pool, remote) => {
    if (!remote.ipv4) return void 0;
    const direct = { dst, type: "unicast", gateway: remote.ipv4, dev: ctx.parentIface, onlink: true, proto: PROTO_AGENT, class: "direct" };
    if (pool && pool.vxlanMode !== "Never") {
      if (pool.vxlanMode === "CrossSubnet" && sameSubnet(remote.ipv4)) return direct;
      if (!remote.vxlanTunnelAddr) {
        problems.push(`Node(${remote.name}): no ipv4VXLANTunnelAddr yet; routes to it wait`);
        return void 0;
      }
      return { dst, type: "unicast", gateway: remote.vxlanTunnelAddr, dev: VXLAN_DEVICE, onlink: true, proto: PROTO_AGENT, class: "vxlan" };
    }
    if (ctx.bgpEnabled) return void 0;
    if (pool && pool.ipipMode !== "Never") {
      if (pool.ipipMode === "CrossSubnet" && sameSubnet(remote.ipv4)) return direct;
      return { dst, type: "unicast", gateway: remote.ipv4, dev: IPIP_DEVICE, onlink: true, proto: PROTO_AGENT, class: "ipip" };
    }
    return sameSubnet(remote.ipv4) ? direct : void 0;
  };
  const localIps = /* @__PURE__ */ new Set();
  const workloadInterfaces = [];
  for (const w of weps) {
    if (w.node !== ctx.nodeName) continue;
    workloadInterfaces.push(w.interfaceName);
    for (const ip of w.ipv4s) {
      localIps.add(ip);
      put({ dst: `${ip}/32`, type: "unicast", dev: w.interfaceName, scope: "link", proto: PROTO_BOOT, class: "workload" });
    }
  }
  const blockOwner = blockIndex(blocks);
  for (const b2 of blocks) {
    if (!b2.affinityNode) continue;
    if (b2.affinityNode === ctx.nodeName) {
      if (b2.net.prefix < 32) put({ dst: b2.cidr, type: "blackhole", proto: PROTO_AGENT, class: "blackhole" });
      continue;
    }
    const remote = nodes.get(b2.affinityNode);
    if (!remote) continue;
    const r = remoteRoute(b2.cidr, poolForIp(pools, b2.net.base), remote);
    if (r) put(r);
  }
  for (const w of weps) {
    if (w.node === ctx.nodeName) continue;
    const remote = nodes.get(w.node);
    if (!remote) continue;
    for (const ip of w.ipv4s) {
      const n = parseIPv4(ip);
      const owner = blockOwner(n);
      if (owner && owner.affinityNode === w.node) continue;
      const r = remoteRoute(`${ip}/32`, poolForIp(pools, n), remote);
      if (r) put(r);
    }
  }
  const vteps = /* @__PURE__ */ new Map();
  let localVtep;
  if (vxlanEnabled) {
    if (me?.vxlanTunnelAddr && me.ipv4) {
      localVtep = {
        tunnelIp: me.vxlanTunnelAddr,
        mac: me.vxlanTunnelMac,
        nodeIp: me.ipv4,
        parentIface: ctx.parentIface,
        mtu: ctx.hostMtu - VXLAN_OVERHEAD,
        vni: ctx.vxlanVni ?? VXLAN_VNI,
        port: ctx.vxlanPort ?? VXLAN_PORT
      };
    }
    for (const n of nodes.values()) {
      if (n.name === ctx.nodeName || !n.vxlanTunnelAddr || !n.ipv4) continue;
      vteps.set(n.name, { node: n.name, tunnelIp: n.vxlanTunnelAddr, mac: n.vxlanTunnelMac, nodeIp: n.ipv4 });
      const owner = blockOwner(parseIPv4(n.vxlanTunnelAddr));
      if (!owner || owner.affinityNode !== n.name) {
        put({ dst: `${n.vxlanTunnelAddr}/32`, type: "unicast", dev: VXLAN_DEVICE, scope: "link", proto: PROTO_AGENT, class: "vxlan" });
      }
    }
  }
  if (ctx.bgpEnabled) {
    for (const lr of ctx.learnedRoutes ?? []) {
      let net;
      try {
        net = parseCidr4(lr.prefix);
        parseIPv4(lr.nextHop);
      } catch {
        problems.push(`learned route ${lr.prefix} via ${lr.nextHop}: malformed`);
        continue;
      }
      const dst = `${lr.prefix.split("/")[0]}/${net.prefix}`;
      const pool = pools.find((p) => cidrCovers(p.net, net));
      if (pool && pool.vxlanMode !== "Never") continue;
      const ipip2 = pool !== void 0 && (pool.ipipMode === "Always" || pool.ipipMode === "CrossSubnet" && !sameSubnet(lr.nextHop));
      if (ipip2) put({ dst, type: "unicast", gateway: lr.nextHop, dev: IPIP_DEVICE, onlink: true, proto: PROTO_BIRD, class: "bgp" });
      else if (sameSubnet(lr.nextHop)) put({ dst, type: "unicast", gateway: lr.nextHop, dev: ctx.parentIface, proto: PROTO_BIRD, class: "bgp" });
      else put({ dst, type: "unicast", gateway: lr.nextHop, proto: PROTO_BIRD, class: "bgp" });
    }
  }
  const ipip = ipipEnabled && me?.ipipTunnelAddr ? { tunnelIp: me.ipipTunnelAddr, mtu: ctx.hostMtu - IPIP_OVERHEAD } : void 0;
  return {
    routes,
    localVtep,
    vteps,
    ipip,
    nat: {
      masqPools: pools.filter((p) => p.natOutgoing).map((p) => p.cidr).sort(),
      allPools: pools.map((p) => p.cidr).sort()
    },
    workloadInterfaces: workloadInterfaces.sort(),
    podMtu: podMtu(ctx.hostMtu, vxlanEnabled, ipipEnabled),
    problems
  };
}
function blockIndex(blocks) {
  const byBase = /* @__PURE__ */ new Map();
  const prefixes = /* @__PURE__ */ new Set();
  for (const b2 of blocks) {
    byBase.set(`${b2.net.base}/${b2.net.prefix}`, b2);
    prefixes.add(b2.net.prefix);
  }
  const sorted = [...prefixes].sort((a, b2) => b2 - a);
  return (ip) => {
    for (const p of sorted) {
      const b2 = byBase.get(`${(ip & maskOf(p)) >>> 0}/${p}`);
      if (b2) return b2;
    }
    return void 0;
  };
}
function podMtu(hostMtu2, vxlan, ipip) {
  let mtu = hostMtu2;
  if (vxlan) mtu = Math.min(mtu, hostMtu2 - VXLAN_OVERHEAD);
  if (ipip) mtu = Math.min(mtu, hostMtu2 - IPIP_OVERHEAD);
  return mtu;
}
var PRIORITY;
var init_graph = __esm({
  "src/agent/calc/graph.ts"() {
    "use strict";
    init_ip();
    init_model3();
    init_types2();
    init_vtep_mac();
    PRIORITY = { workload: 5, blackhole: 4, vxlan: 3, ipip: 3, direct: 3, bgp: 1 };
  }
});

// src/ipip/exec.ts
import { execFile } from "node:child_process";
import { promisify } from "node:util";
var run, CommandError, execRunner;
var init_exec2 = __esm({
  "src/ipip/exec.ts"() {
    "use strict";
    run = promisify(execFile);
    CommandError = class extends Error {
      constructor(argv, stderr, code) {
        super(`${argv.join(" ")} failed: ${stderr.trim() || `exit ${code}`}`);
        this.argv = argv;
        this.stderr = stderr;
        this.code = code;
        this.name = "CommandError";
      }
      argv;
      stderr;
      code;
    };
    execRunner = async (argv) => {
      try {
        const { stdout, stderr } = await run(argv[0], argv.slice(1), { encoding: "utf8", timeout: 3e4 });
        return { stdout, stderr };
      } catch (e) {
        throw new CommandError(argv, String(e.stderr ?? e.message ?? ""), e.code);
      }
    };
  }
});

// src/ipip/detect.ts
import { readFile as readFile2 } from "node:fs/promises";
async function linkType(name) {
  try {
    return Number((await readFile2(`/sys/class/net/${name}/type`, "utf8")).trim());
  } catch {
    return void 0;
  }
}
function isKernelTunl0(type) {
  return type === ARPHRD_TUNNEL;
}
function isTunTunl0(type) {
  return type === ARPHRD_NONE;
}
async function detectIpipMode(run3 = execRunner) {
  const t = await linkType("tunl0");
  if (isKernelTunl0(t)) return { mode: "kernel", reason: "tunl0 is a kernel ipip device" };
  const probe = `tabbyipip${process.pid % 1e5}`;
  try {
    await run3(["ip", "link", "add", probe, "type", "ipip"]);
    await run3(["ip", "link", "del", probe]).catch(() => void 0);
    return { mode: "kernel", reason: "the kernel created an ipip link" };
  } catch (e) {
    return { mode: "ebpf", reason: `kernel has no ipip support (${e.message.split("\n")[0]}); using tc eBPF encapsulation` };
  }
}
var ARPHRD_TUNNEL, ARPHRD_NONE;
var init_detect = __esm({
  "src/ipip/detect.ts"() {
    "use strict";
    init_exec2();
    ARPHRD_TUNNEL = 768;
    ARPHRD_NONE = 65534;
  }
});

// src/ipip/ebpf/object.ts
import { createHash as createHash3 } from "node:crypto";
import { existsSync as existsSync2, mkdirSync as mkdirSync2, readFileSync as readFileSync5, renameSync } from "node:fs";
import { dirname as dirname3, join as join5, resolve as resolve2 } from "node:path";
import { fileURLToPath as fileURLToPath2 } from "node:url";
function projectRoot() {
  let dir = dirname3(fileURLToPath2(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join5(dir, "package.json");
    if (existsSync2(pkg) && /"name":\s*"tabby"/.test(readFileSync5(pkg, "utf8"))) return dir;
    dir = resolve2(dir, "..");
  }
  throw new Error("cannot find the Tabby checkout root from " + fileURLToPath2(import.meta.url));
}
function sourcePath(root2 = projectRoot()) {
  return join5(root2, "src/ipip/ebpf/ipip.bpf.c");
}
function clangArgs(src, out3) {
  return ["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", src, "-o", out3];
}
async function ensureObject(opts = {}) {
  const root2 = projectRoot();
  const src = sourcePath(root2);
  const hash = createHash3("sha256").update(readFileSync5(src)).digest("hex").slice(0, 16);
  const prebuilt = join5(root2, "dist", `ipip.bpf.${hash}.o`);
  if (existsSync2(prebuilt)) return prebuilt;
  const cacheDir = opts.cacheDir ?? process.env.TABBY_CACHE_DIR ?? "/var/cache/tabby";
  const cached = join5(cacheDir, `ipip.bpf.${hash}.o`);
  if (existsSync2(cached)) return cached;
  mkdirSync2(cacheDir, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  try {
    await (opts.run ?? execRunner)(clangArgs(src, tmp));
  } catch (e) {
    throw new Error(`cannot compile the IPIP eBPF program (install clang and libbpf-dev): ${e.message}`);
  }
  renameSync(tmp, cached);
  return cached;
}
var init_object = __esm({
  "src/ipip/ebpf/object.ts"() {
    "use strict";
    init_exec2();
  }
});

// src/ipip/tun.ts
import fs from "node:fs";
import koffi from "koffi";
function libcIoctl() {
  if (!ioctl) {
    const libc = koffi.load("libc.so.6");
    ioctl = libc.func("int ioctl(int fd, unsigned long req, _Inout_ uint8_t *arg)");
  }
  return ioctl;
}
function holdTun(name) {
  if (Buffer.byteLength(name) >= IFNAMSIZ) throw new Error(`interface name too long: ${name}`);
  const fd = fs.openSync("/dev/net/tun", fs.constants.O_RDWR);
  const ifr = Buffer.alloc(40);
  ifr.write(name, 0, "ascii");
  ifr.writeUInt16LE(IFF_TUN | IFF_NO_PI, IFNAMSIZ);
  const rc = libcIoctl()(fd, TUNSETIFF, ifr);
  if (rc !== 0) {
    const errno = koffi.errno();
    fs.closeSync(fd);
    throw new Error(`TUNSETIFF ${name} failed (errno ${errno})`);
  }
  let open = true;
  return {
    name,
    close() {
      if (open) {
        open = false;
        fs.closeSync(fd);
      }
    }
  };
}
var TUNSETIFF, IFF_TUN, IFF_NO_PI, IFNAMSIZ, ioctl;
var init_tun = __esm({
  "src/ipip/tun.ts"() {
    "use strict";
    TUNSETIFF = 1074025674;
    IFF_TUN = 1;
    IFF_NO_PI = 4096;
    IFNAMSIZ = 16;
  }
});

// src/ipip/index.ts
var ipip_exports = {};
__export(ipip_exports, {
  IPIP_OVERHEAD: () => IPIP_OVERHEAD2,
  TUNL0: () => TUNL0,
  detectIpipMode: () => detectIpipMode,
  ensureIpipDataplane: () => ensureIpipDataplane
});
async function ensureIpipDataplane(opts) {
  const run3 = opts.run ?? execRunner;
  const detected = opts.mode ? { mode: opts.mode, reason: "forced" } : await detectIpipMode(run3);
  const mtu = opts.hostMtu - IPIP_OVERHEAD2;
  opts.log?.info({ mode: detected.mode, reason: detected.reason, mtu }, "IPIP dataplane");
  let hold;
  if (detected.mode === "kernel") {
    if (await linkType(TUNL0) === void 0) await run3(["ip", "link", "add", TUNL0, "type", "ipip"]);
    await run3(["ip", "link", "set", TUNL0, "mtu", String(mtu), "up"]);
  } else {
    const obj2 = await ensureObject({ run: run3 });
    const t = await linkType(TUNL0);
    if (t !== void 0 && !isTunTunl0(t)) throw new Error(`${TUNL0} exists but is not a TUN device (type ${t}); remove it first`);
    if (t === void 0) await run3(["ip", "tuntap", "add", "dev", TUNL0, "mode", "tun"]);
    await run3(["ip", "link", "set", TUNL0, "mtu", String(mtu), "up"]);
    await run3(["tc", "qdisc", "replace", "dev", TUNL0, "clsact"]);
    await run3(["tc", "filter", "replace", "dev", TUNL0, "egress", "pref", FILTER_PREF, "handle", "1", "bpf", "da", "obj", obj2, "sec", "tc/egress"]);
    await run3(["tc", "qdisc", "replace", "dev", opts.fabricInterface, "clsact"]);
    await run3(["tc", "filter", "replace", "dev", opts.fabricInterface, "ingress", "pref", FILTER_PREF, "handle", "1", "bpf", "da", "obj", obj2, "sec", "tc/ingress"]);
    try {
      hold = holdTun(TUNL0);
    } catch (e) {
      opts.log?.warn({ err: e.message }, 'could not attach to tunl0; its routes will read "linkdown"');
    }
  }
  if (opts.tunnelAddress) {
    await run3(["ip", "addr", "replace", `${opts.tunnelAddress}/32`, "dev", TUNL0]);
  }
  return {
    mode: detected.mode,
    mtu,
    async stop() {
      hold?.close();
      hold = void 0;
    },
    async remove() {
      hold?.close();
      hold = void 0;
      if (detected.mode === "ebpf") {
        await run3(["tc", "filter", "del", "dev", opts.fabricInterface, "ingress", "pref", FILTER_PREF]).catch(() => void 0);
        await run3(["ip", "link", "del", TUNL0]).catch(() => void 0);
      } else {
        await run3(["ip", "addr", "flush", "dev", TUNL0]).catch(() => void 0);
      }
    }
  };
}
var TUNL0, IPIP_OVERHEAD2, FILTER_PREF;
var init_ipip = __esm({
  "src/ipip/index.ts"() {
    "use strict";
    init_detect();
    init_object();
    init_exec2();
    init_tun();
    init_detect();
    TUNL0 = "tunl0";
    IPIP_OVERHEAD2 = 20;
    FILTER_PREF = "49";
  }
});

// src/agent/dataplane/ipip.ts
var IpipManager;
var init_ipip2 = __esm({
  "src/agent/dataplane/ipip.ts"() {
    "use strict";
    IpipManager = class {
      constructor(log4, fabricInterface, hostMtu2) {
        this.log = log4;
        this.fabricInterface = fabricInterface;
        this.hostMtu = hostMtu2;
      }
      log;
      fabricInterface;
      hostMtu;
      name = "ipip";
      desired;
      applied;
      handle;
      onUpdate(state) {
        this.desired = state.ipip;
      }
      requestResync() {
        this.applied = void 0;
      }
      async apply() {
        const key = JSON.stringify(this.desired ?? null);
        if (key === this.applied) return;
        const { ensureIpipDataplane: ensureIpipDataplane2 } = await Promise.resolve().then(() => (init_ipip(), ipip_exports));
        if (this.desired) {
          await this.handle?.stop();
          this.handle = await ensureIpipDataplane2({ fabricInterface: this.fabricInterface, tunnelAddress: this.desired.tunnelIp, hostMtu: this.hostMtu, log: this.log });
        } else if (this.handle) {
          await this.handle.remove();
          this.handle = void 0;
          this.log.info("removed IPIP device (no IPIP pool)");
        }
        this.applied = key;
      }
      async stop() {
        await this.handle?.stop();
      }
    };
  }
});

// src/agent/dataplane/nat.ts
function renderNatTable(nat, table2 = NAT_TABLE) {
  const set = (name, elems) => `  set ${name} {
    type ipv4_addr; flags interval;
${elems.length ? `    elements = { ${elems.join(", ")} }
` : ""}  }
`;
  return [
    `table ip ${table2} {
`,
    set(MASQ_SET, nat.masqPools),
    set(ALL_SET, nat.allPools),
    `  chain nat-outgoing {
`,
    `    type nat hook postrouting priority srcnat + 10; policy accept;
`,
    `    ip saddr @${MASQ_SET} ip daddr != @${ALL_SET} masquerade fully-random
`,
    `  }
`,
    `}
`
  ].join("");
}
function natScript(nat, table2 = NAT_TABLE) {
  if (nat.masqPools.length === 0) return `table ip ${table2} {}
delete table ip ${table2}
`;
  return `table ip ${table2} {}
delete table ip ${table2}
${renderNatTable(nat, table2)}`;
}
function summarizeNft(objs) {
  if (!objs) return void 0;
  const out3 = { masq: [], all: [], rules: 0 };
  for (const o of objs) {
    if (o.rule) out3.rules++;
    if (o.set && (o.set.name === MASQ_SET || o.set.name === ALL_SET)) {
      const elems = [];
      for (const e of o.set.elem ?? []) {
        if (typeof e === "string") elems.push(`${e}/32`);
        else if (e?.prefix) elems.push(`${e.prefix.addr}/${e.prefix.len}`);
        else if (e?.range) elems.push(`${e.range[0]}-${e.range[1]}`);
      }
      elems.sort();
      if (o.set.name === MASQ_SET) out3.masq = elems;
      else out3.all = elems;
    }
  }
  return out3;
}
var NAT_TABLE, MASQ_SET, ALL_SET, NatManager;
var init_nat = __esm({
  "src/agent/dataplane/nat.ts"() {
    "use strict";
    NAT_TABLE = "tabby-nat";
    MASQ_SET = "masq-ipam-pools";
    ALL_SET = "all-ipam-pools";
    NatManager = class {
      constructor(kernel, log4, table2 = NAT_TABLE) {
        this.kernel = kernel;
        this.log = log4;
        this.table = table2;
      }
      kernel;
      log;
      table;
      name = "nat";
      desired = { masqPools: [], allPools: [] };
      applied;
      needResync = true;
      onUpdate(state) {
        this.desired = state.nat;
      }
      requestResync() {
        this.needResync = true;
      }
      async apply() {
        const want = JSON.stringify(this.desired);
        if (this.needResync) {
          const have = summarizeNft(await this.kernel.nftListTable("ip", this.table));
          const matches = this.desired.masqPools.length === 0 ? have === void 0 : have !== void 0 && have.rules === 1 && JSON.stringify(have.masq) === JSON.stringify(this.desired.masqPools) && JSON.stringify(have.all) === JSON.stringify(this.desired.allPools);
          this.applied = matches ? want : void 0;
          this.needResync = false;
        }
        if (this.applied === want) return;
        try {
          await this.kernel.nftApply(natScript(this.desired, this.table));
        } catch (e) {
          this.needResync = true;
          throw e;
        }
        this.applied = want;
        this.log.info({ masqPools: this.desired.masqPools, allPools: this.desired.allPools }, "programmed NAT outgoing");
      }
    };
  }
});

// src/agent/dataplane/delta-tracker.ts
var DeltaTracker;
var init_delta_tracker = __esm({
  "src/agent/dataplane/delta-tracker.ts"() {
    "use strict";
    DeltaTracker = class {
      /** `inSync(d, o)`: does the kernel's `o` already satisfy the desired `d`? */
      constructor(inSync) {
        this.inSync = inSync;
      }
      inSync;
      desired = /* @__PURE__ */ new Map();
      dataplane = /* @__PURE__ */ new Map();
      setDesired(all) {
        this.desired = all;
      }
      replaceDataplane(all) {
        this.dataplane = all;
      }
      getDesired(k) {
        return this.desired.get(k);
      }
      getDataplane(k) {
        return this.dataplane.get(k);
      }
      desiredSize() {
        return this.desired.size;
      }
      dataplaneSize() {
        return this.dataplane.size;
      }
      *pendingUpdates() {
        for (const [k, d] of this.desired) {
          const o = this.dataplane.get(k);
          if (o === void 0 || !this.inSync(d, o)) yield [k, d];
        }
      }
      *pendingDeletions() {
        for (const [k, o] of this.dataplane) if (!this.desired.has(k)) yield [k, o];
      }
      /** Record that the kernel now holds `o` for `k` (after a successful write). */
      setDataplane(k, o) {
        this.dataplane.set(k, o);
      }
      deleteDataplane(k) {
        this.dataplane.delete(k);
      }
      /** Nothing to do. */
      inSyncAll() {
        for (const _ of this.pendingUpdates()) return false;
        for (const _ of this.pendingDeletions()) return false;
        return true;
      }
    };
  }
});

// src/agent/dataplane/route-table.ts
function routeInSync(d, o) {
  if (d.type !== o.type) return false;
  if (d.type === "blackhole") return o.proto === d.proto;
  if (d.class === "workload") return o.dev === d.dev && !o.gateway;
  if (o.proto !== d.proto) return false;
  if ((d.gateway ?? void 0) !== (o.gateway ?? void 0)) return false;
  if (d.dev !== void 0 && o.dev !== d.dev) return false;
  if (!!d.onlink !== o.onlink) return false;
  return true;
}
function describe2(r) {
  const parts = [r.type === "blackhole" ? `blackhole ${r.dst}` : r.dst];
  if (r.gateway) parts.push(`via ${r.gateway}`);
  if (r.dev) parts.push(`dev ${r.dev}`);
  parts.push(`proto ${r.proto}`);
  if (r.onlink) parts.push("onlink");
  return parts.join(" ");
}
var RouteTable;
var init_route_table = __esm({
  "src/agent/dataplane/route-table.ts"() {
    "use strict";
    init_types2();
    init_delta_tracker();
    RouteTable = class {
      constructor(kernel, log4, opts = {}) {
        this.kernel = kernel;
        this.log = log4;
        this.prefix = opts.workloadIfacePrefix ?? "cali";
        this.graceMs = opts.graceMs ?? 1e4;
        this.now = opts.now ?? Date.now;
        this.concurrency = opts.concurrency ?? 64;
      }
      kernel;
      log;
      name = "routes";
      tracker = new DeltaTracker(routeInSync);
      needResync = true;
      firstSeen = /* @__PURE__ */ new Map();
      prefix;
      graceMs;
      now;
      concurrency;
      stats = { routesProgrammed: 0, routesDeleted: 0, errors: 0 };
      onUpdate(state) {
        this.tracker.setDesired(state.routes);
      }
      requestResync() {
        this.needResync = true;
      }
      /** Number of routes the agent currently believes are programmed. */
      programmedCount() {
        return this.tracker.dataplaneSize();
      }
      desiredCount() {
        return this.tracker.desiredSize();
      }
      owns(r) {
        if (r.proto === PROTO_AGENT || r.proto === PROTO_BIRD) return true;
        return r.dev !== void 0 && r.dev.startsWith(this.prefix) && r.type === "unicast" && !r.gateway;
      }
      async resync() {
        const observed = /* @__PURE__ */ new Map();
        for (const r of await this.kernel.listRoutes()) {
          if (!this.owns(r)) continue;
          if (r.metric) continue;
          observed.set(r.dst, r);
        }
        this.tracker.replaceDataplane(observed);
        for (const k of [...this.firstSeen.keys()]) if (!observed.has(k)) this.firstSeen.delete(k);
        this.needResync = false;
      }
      async apply() {
        if (this.needResync) await this.resync();
        const failures = [];
        const now = this.now();
        const deletions = [];
        for (const [dst, o] of this.tracker.pendingDeletions()) {
          const isWorkloadRoute = o.dev?.startsWith(this.prefix) && o.proto !== PROTO_AGENT && o.proto !== PROTO_BIRD;
          if (isWorkloadRoute) {
            const seen = this.firstSeen.get(dst) ?? now;
            this.firstSeen.set(dst, seen);
            if (now - seen < this.graceMs) continue;
          }
          deletions.push(o);
        }
        await this.parallel(deletions, async (o) => {
          try {
            await this.kernel.deleteRoute(o);
            this.tracker.deleteDataplane(o.dst);
            this.firstSeen.delete(o.dst);
            this.stats.routesDeleted++;
            this.log.debug({ route: describe2(o) }, "deleted route");
          } catch (e) {
            failures.push(`delete ${describe2(o)}: ${e.message}`);
          }
        });
        const updates = [...this.tracker.pendingUpdates()].map(([, d]) => d);
        await this.parallel(updates, async (d) => {
          try {
            await this.kernel.replaceRoute(d);
            this.tracker.setDataplane(d.dst, {
              dst: d.dst,
              type: d.type,
              dev: d.dev,
              gateway: d.gateway,
              onlink: !!d.onlink,
              scope: d.scope === "link" ? "link" : "universe",
              proto: d.proto
            });
            this.firstSeen.delete(d.dst);
            this.stats.routesProgrammed++;
          } catch (e) {
            failures.push(`replace ${describe2(d)}: ${e.message}`);
          }
        });
        if (updates.length || deletions.length) this.log.debug({ updates: updates.length, deletions: deletions.length }, "routes applied");
        if (failures.length) {
          this.stats.errors += failures.length;
          this.needResync = true;
          throw new Error(`${failures.length} route operation(s) failed: ${failures.slice(0, 3).join("; ")}`);
        }
      }
      /** Earliest time a grace-protected route could expire (so the loop can come back then), or undefined. */
      nextGraceExpiry() {
        let min;
        for (const t of this.firstSeen.values()) min = min === void 0 ? t + this.graceMs : Math.min(min, t + this.graceMs);
        return min;
      }
      async parallel(items, fn) {
        let i = 0;
        const worker = async () => {
          while (i < items.length) await fn(items[i++]);
        };
        await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
      }
    };
  }
});

// src/agent/dataplane/sysctls.ts
function workloadSysctls(iface) {
  return [
    [`net.ipv4.conf.${iface}.forwarding`, "1"],
    [`net.ipv4.conf.${iface}.proxy_arp`, "1"],
    [`net.ipv4.conf.${iface}.route_localnet`, "1"],
    [`net.ipv4.conf.${iface}.rp_filter`, "1"],
    [`net.ipv4.neigh.${iface}.proxy_delay`, "0"]
  ];
}
var GLOBAL_SYSCTLS, SysctlManager;
var init_sysctls = __esm({
  "src/agent/dataplane/sysctls.ts"() {
    "use strict";
    GLOBAL_SYSCTLS = [["net.ipv4.ip_forward", "1"]];
    SysctlManager = class {
      constructor(kernel, log4) {
        this.kernel = kernel;
        this.log = log4;
      }
      kernel;
      log;
      name = "sysctls";
      ifaces = [];
      done = /* @__PURE__ */ new Set();
      globalsDone = false;
      onUpdate(state) {
        this.ifaces = state.workloadInterfaces;
        const live = new Set(this.ifaces);
        for (const i of [...this.done]) if (!live.has(i)) this.done.delete(i);
      }
      requestResync() {
        this.done.clear();
        this.globalsDone = false;
      }
      async apply() {
        if (!this.globalsDone) {
          for (const [k, v] of GLOBAL_SYSCTLS) await this.ensure(k, v);
          this.globalsDone = true;
        }
        for (const iface of this.ifaces) {
          if (this.done.has(iface)) continue;
          let present = true;
          for (const [k, v] of workloadSysctls(iface)) {
            if (!await this.ensure(k, v)) {
              present = false;
              break;
            }
          }
          if (present) this.done.add(iface);
        }
      }
      /** Returns false when the key does not exist (interface absent). */
      async ensure(key, value) {
        const cur = await this.kernel.readSysctl(key);
        if (cur === void 0) return false;
        if (cur !== value) {
          await this.kernel.writeSysctl(key, value);
          this.log.debug({ key, from: cur, to: value }, "sysctl set");
        }
        return true;
      }
    };
  }
});

// src/agent/dataplane/vxlan.ts
var VxlanManager;
var init_vxlan = __esm({
  "src/agent/dataplane/vxlan.ts"() {
    "use strict";
    init_types2();
    VxlanManager = class {
      constructor(kernel, log4, device = VXLAN_DEVICE) {
        this.kernel = kernel;
        this.log = log4;
        this.device = device;
      }
      kernel;
      log;
      device;
      name = "vxlan";
      local;
      vteps = /* @__PURE__ */ new Map();
      dirty = true;
      lastApplied = "";
      onUpdate(state) {
        this.local = state.localVtep;
        this.vteps = state.vteps;
        const key = JSON.stringify([this.local, [...this.vteps.values()].sort((a, b2) => a.node.localeCompare(b2.node))]);
        if (key !== this.lastApplied) this.dirty = true;
      }
      requestResync() {
        this.dirty = true;
      }
      async apply() {
        if (!this.dirty) return;
        const key = JSON.stringify([this.local, [...this.vteps.values()].sort((a, b2) => a.node.localeCompare(b2.node))]);
        if (!this.local) {
          const link = await this.kernel.getLink(this.device);
          if (link) {
            await this.kernel.deleteLink(this.device);
            this.log.info({ device: this.device }, "removed VXLAN device (no VXLAN pool)");
          }
        } else {
          await this.ensureDevice(this.local);
          await this.syncNeighbors();
        }
        this.lastApplied = key;
        this.dirty = false;
      }
      async ensureDevice(v) {
        const parent = await this.kernel.getLink(v.parentIface);
        if (!parent) throw new Error(`VXLAN parent interface ${v.parentIface} not found`);
        let link = await this.kernel.getLink(this.device);
        if (link) {
          const p = await this.kernel.vxlanParams(this.device);
          const ok = p && p.vni === v.vni && p.port === v.port && p.local === v.nodeIp && p.parentIndex === parent.index && !p.learning;
          if (!ok) {
            this.log.warn({ device: this.device, have: p, want: { vni: v.vni, port: v.port, local: v.nodeIp, parent: v.parentIface } }, "VXLAN device has wrong parameters; recreating");
            await this.kernel.deleteLink(this.device);
            link = void 0;
          }
        }
        if (!link) {
          await this.kernel.createVxlan({ name: this.device, vni: v.vni, port: v.port, local: v.nodeIp, parentIndex: parent.index, mac: v.mac, mtu: v.mtu });
          this.log.info({ device: this.device, vni: v.vni, mac: v.mac, mtu: v.mtu }, "created VXLAN device");
          link = await this.kernel.getLink(this.device);
          if (!link) throw new Error(`${this.device} vanished right after creation`);
        }
        if (link.mac !== v.mac) await this.kernel.setLinkMac(this.device, v.mac);
        if (link.mtu !== v.mtu) await this.kernel.setLinkMtu(this.device, v.mtu);
        if (!link.up) await this.kernel.setLinkUp(this.device);
        const want = `${v.tunnelIp}/32`;
        const addrs = await this.kernel.listAddresses(this.device);
        for (const a of addrs) if (a !== want) await this.kernel.delAddress(this.device, a);
        if (!addrs.includes(want)) await this.kernel.addAddress(this.device, want);
      }
      async syncNeighbors() {
        const wantArp = /* @__PURE__ */ new Map();
        const wantFdb = /* @__PURE__ */ new Map();
        for (const v of this.vteps.values()) {
          wantArp.set(v.tunnelIp, v.mac);
          wantFdb.set(v.mac, v.nodeIp);
        }
        const haveArp = await this.kernel.listNeighbors(this.device);
        const arpSeen = /* @__PURE__ */ new Set();
        for (const n of haveArp) {
          const mac2 = wantArp.get(n.ip);
          if (mac2 === void 0) {
            await this.kernel.deleteNeighbor(this.device, n.ip).catch(() => void 0);
            continue;
          }
          if (n.mac === mac2 && n.permanent) arpSeen.add(n.ip);
        }
        for (const [ip, mac2] of wantArp) if (!arpSeen.has(ip)) await this.kernel.replaceNeighbor(this.device, ip, mac2);
        const haveFdb = await this.kernel.listFdb(this.device);
        const fdbSeen = /* @__PURE__ */ new Set();
        for (const f of haveFdb) {
          const dst = wantFdb.get(f.mac);
          if (dst === f.dst) {
            fdbSeen.add(f.mac);
            continue;
          }
          await this.kernel.deleteFdb(this.device, f.mac, f.dst).catch(() => void 0);
        }
        for (const [mac2, dst] of wantFdb) if (!fdbSeen.has(mac2)) await this.kernel.replaceFdb(this.device, mac2, dst);
      }
    };
  }
});

// src/agent/health.ts
import http2 from "node:http";
var HealthAggregator;
var init_health = __esm({
  "src/agent/health.ts"() {
    "use strict";
    HealthAggregator = class {
      reporters = /* @__PURE__ */ new Map();
      routes = /* @__PURE__ */ new Map();
      server;
      register(name, r) {
        this.reporters.set(name, r);
      }
      mount(path6, h) {
        this.routes.set(path6, h);
      }
      summary() {
        const rows = [...this.reporters].map(([n, r]) => {
          try {
            return [n, r()];
          } catch (e) {
            return [n, { live: false, ready: false, detail: String(e) }];
          }
        });
        return { live: rows.every(([, r]) => r.live), ready: rows.every(([, r]) => r.ready), rows };
      }
      render(which, rows) {
        const lines = ["COMPONENT            LIVE   READY  DETAIL"];
        for (const [n, r] of rows) lines.push(`${n.padEnd(20)} ${String(r.live).padEnd(6)} ${String(r.ready).padEnd(6)} ${r.detail ?? ""}`.trimEnd());
        void which;
        return lines.join("\n") + "\n";
      }
      handle(req, res) {
        const path6 = (req.url ?? "/").split("?")[0];
        const extra = this.routes.get(path6);
        if (extra) {
          extra(req, res);
          return;
        }
        if (path6 !== "/liveness" && path6 !== "/readiness") {
          res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
          return;
        }
        const s2 = this.summary();
        const ok = path6 === "/liveness" ? s2.live : s2.ready;
        res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(this.render(path6 === "/liveness" ? "live" : "ready", s2.rows));
      }
      listen(port3, host) {
        return new Promise((resolve4, reject) => {
          const srv = http2.createServer((req, res) => this.handle(req, res));
          srv.once("error", reject);
          srv.listen(port3, host, () => {
            srv.off("error", reject);
            this.server = srv;
            resolve4();
          });
        });
      }
      close() {
        return new Promise((resolve4) => {
          if (!this.server) {
            resolve4();
            return;
          }
          this.server.close(() => resolve4());
          this.server.closeAllConnections?.();
        });
      }
    };
  }
});

// src/agent/metrics.ts
import http3 from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
var AgentMetrics;
var init_metrics = __esm({
  "src/agent/metrics.ts"() {
    "use strict";
    AgentMetrics = class {
      registry = new Registry();
      applyTime = new Histogram({ name: "felix_int_dataplane_apply_time_seconds", help: "Time to apply one batch of changes to the dataplane", registers: [this.registry], buckets: [1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] });
      calcTime = new Histogram({ name: "felix_calc_graph_update_time_seconds", help: "Time to compute the desired state from the datastore snapshot", registers: [this.registry], buckets: [5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1] });
      resyncTime = new Histogram({ name: "felix_route_table_resync_seconds", help: "Time to re-read the kernel route table", registers: [this.registry], buckets: [1e-3, 0.01, 0.05, 0.1, 0.5, 1, 5] });
      routes = new Gauge({ name: "felix_route_table_num_routes", help: "Routes the agent has programmed (main table)", registers: [this.registry] });
      routesProgrammed = new Counter({ name: "tabby_agent_routes_programmed_total", help: "Route writes (adds and replaces) done", registers: [this.registry] });
      routesDeleted = new Counter({ name: "tabby_agent_routes_deleted_total", help: "Route deletions done", registers: [this.registry] });
      failures = new Counter({ name: "felix_int_dataplane_failures", help: "Dataplane apply failures", registers: [this.registry], labelNames: ["manager"] });
      resyncs = new Counter({ name: "felix_resyncs_started", help: "Kernel resyncs started", registers: [this.registry] });
      datastoreEvents = new Counter({ name: "tabby_agent_datastore_events_total", help: "Datastore watch events received", registers: [this.registry] });
      localEndpoints = new Gauge({ name: "felix_active_local_endpoints", help: "Workload endpoints on this node", registers: [this.registry] });
      clusterHosts = new Gauge({ name: "felix_cluster_num_hosts", help: "Nodes in the cluster", registers: [this.registry] });
      bgpRoutes = new Gauge({ name: "tabby_agent_bgp_learned_routes", help: "Best routes learned over BGP", registers: [this.registry] });
      server;
      constructor() {
        collectDefaultMetrics({ register: this.registry, prefix: "tabby_agent_" });
      }
      listen(port3, host) {
        return new Promise((resolve4, reject) => {
          const srv = http3.createServer(async (req, res) => {
            if ((req.url ?? "").split("?")[0] !== "/metrics") {
              res.writeHead(404).end("not found\n");
              return;
            }
            try {
              res.writeHead(200, { "content-type": this.registry.contentType }).end(await this.registry.metrics());
            } catch (e) {
              res.writeHead(500).end(String(e));
            }
          });
          srv.once("error", reject);
          srv.listen(port3, host, () => {
            srv.off("error", reject);
            this.server = srv;
            resolve4();
          });
        });
      }
      close() {
        return new Promise((resolve4) => {
          if (!this.server) {
            resolve4();
            return;
          }
          this.server.close(() => resolve4());
          this.server.closeAllConnections?.();
        });
      }
    };
  }
});

// src/agent/startup.ts
import { randomBytes } from "node:crypto";
import { mkdirSync as mkdirSync3, renameSync as renameSync2, writeFileSync as writeFileSync4 } from "node:fs";
import { join as join6 } from "node:path";
async function interfaceAddresses(kernel) {
  const out3 = [];
  for (const l of (await kernel.listLinks()).sort((a, b2) => a.index - b2.index)) {
    const cidrs = (await kernel.listAddresses(l.name).catch(() => [])).filter((c) => !c.startsWith("127.") && !c.startsWith("169.254."));
    out3.push({ iface: l.name, cidrs });
  }
  return out3;
}
async function detectAddress(kernel, method = "first-found") {
  const [kind, arg = ""] = method.includes("=") ? [method.slice(0, method.indexOf("=")), method.slice(method.indexOf("=") + 1)] : [method];
  const all = await interfaceAddresses(kernel);
  const pick = (filter, cidrFilter = () => true) => {
    for (const i of all) {
      if (!filter(i)) continue;
      const c = i.cidrs.find(cidrFilter);
      if (c) return { cidr: c, ip: c.split("/")[0], iface: i.iface };
    }
    return void 0;
  };
  const regexes = () => arg.split(",").filter(Boolean).map((r) => {
    try {
      return new RegExp(r);
    } catch {
      throw new Error(`IP_AUTODETECTION_METHOD ${method}: "${r}" is not a valid regular expression`);
    }
  });
  let found;
  switch (kind) {
    case "first-found":
      found = pick((i) => !DEFAULT_EXCLUDES.some((re) => re.test(i.iface)));
      break;
    case "interface": {
      const res = regexes();
      found = pick((i) => res.some((re) => re.test(i.iface)));
      break;
    }
    case "skip-interface": {
      const res = regexes();
      found = pick((i) => !DEFAULT_EXCLUDES.some((re) => re.test(i.iface)) && !res.some((re) => re.test(i.iface)));
      break;
    }
    case "can-reach": {
      let target = arg;
      try {
        parseIPv4(target);
      } catch {
        throw new Error(`IP_AUTODETECTION_METHOD ${method}: "${arg}" is not an IPv4 address`);
      }
      const r = await kernel.routeGet(target);
      if (r?.src) found = pick((i) => i.iface === r.dev || r.dev === void 0, (c) => c.split("/")[0] === r.src) ?? pick(() => true, (c) => c.split("/")[0] === r.src);
      break;
    }
    case "cidr": {
      const nets = arg.split(",").filter(Boolean).map((c) => {
        try {
          return parseCidr4(c.trim());
        } catch (e) {
          throw new Error(`IP_AUTODETECTION_METHOD ${method}: ${e.message}`);
        }
      });
      found = pick(() => true, (c) => nets.some((n) => cidrContains3(n, parseIPv4(c.split("/")[0]))));
      break;
    }
    default:
      throw new Error(`unknown IP_AUTODETECTION_METHOD "${method}" (want first-found, interface=REGEX, skip-interface=REGEX, can-reach=IP or cidr=CIDR)`);
  }
  if (!found) throw new Error(`IP_AUTODETECTION_METHOD ${method}: no IPv4 address found on this node`);
  return found;
}
async function addressFromConfig(kernel, ip) {
  const bare = ip.split("/")[0];
  try {
    parseIPv4(bare);
  } catch {
    throw new Error(`IP "${ip}" is not an IPv4 address`);
  }
  for (const i of await interfaceAddresses(kernel)) {
    const c = i.cidrs.find((x) => x.split("/")[0] === bare);
    if (c) return { cidr: ip.includes("/") ? ip : c, ip: bare, iface: i.iface };
  }
  throw new Error(`IP ${ip} is not configured on any interface of this node`);
}
async function hostMtu(kernel, pattern = MTU_IFACE_PATTERN) {
  const mtus = (await kernel.listLinks()).filter((l) => l.up && pattern.test(l.name)).map((l) => l.mtu);
  return mtus.length ? Math.min(...mtus) : 1460;
}
async function upsert(ds, kind, name, mutate) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const cur = await ds.get(kind, name);
    const next = mutate(cur ? structuredClone(cur) : void 0);
    if (!next) return cur;
    try {
      return cur ? await ds.update(next) : await ds.create(next);
    } catch (e) {
      if (isDatastoreError(e, "Conflict") || isDatastoreError(e, "AlreadyExists") || isDatastoreError(e, "NotFound")) continue;
      throw e;
    }
  }
  throw new Error(`${kind} ${name}: too many concurrent updates`);
}
async function registerNode(ds, nodeName, addr, asNumber2) {
  const r = await upsert(ds, "Node", nodeName, (cur) => {
    const node = cur ?? { apiVersion: API_VERSION, kind: "Node", metadata: { name: nodeName }, spec: {} };
    const spec = node.spec ??= {};
    spec.bgp ??= {};
    const before = JSON.stringify(spec);
    spec.bgp.ipv4Address = addr.cidr;
    if (asNumber2) spec.bgp.asNumber = Number(asNumber2);
    spec.addresses = [{ address: addr.cidr, type: "CalicoNodeIP" }];
    if (cur && JSON.stringify(spec) === before) return void 0;
    return node;
  });
  return r;
}
function encapFromEnv(name, v, dflt) {
  if (v === void 0 || v === "") return dflt;
  const norm = { always: "Always", never: "Never", crosssubnet: "CrossSubnet", "cross-subnet": "CrossSubnet", off: "Never", false: "Never" }[v.toLowerCase()];
  if (!norm) throw new Error(`${name}="${v}" is not Always, Never or CrossSubnet`);
  return norm;
}
function defaultPoolFromEnv(env) {
  const cidr2 = env.CALICO_IPV4POOL_CIDR || "192.168.0.0/16";
  parseCidr4(cidr2, true);
  const vxlanMode = encapFromEnv("CALICO_IPV4POOL_VXLAN", env.CALICO_IPV4POOL_VXLAN, "Never");
  const ipipMode = encapFromEnv("CALICO_IPV4POOL_IPIP", env.CALICO_IPV4POOL_IPIP, vxlanMode === "Never" ? "Always" : "Never");
  if (ipipMode !== "Never" && vxlanMode !== "Never") throw new Error("CALICO_IPV4POOL_IPIP and CALICO_IPV4POOL_VXLAN cannot both be enabled");
  const blockSize = env.CALICO_IPV4POOL_BLOCK_SIZE ? Number(env.CALICO_IPV4POOL_BLOCK_SIZE) : 26;
  if (!Number.isInteger(blockSize) || blockSize < 20 || blockSize > 32) throw new Error(`CALICO_IPV4POOL_BLOCK_SIZE=${env.CALICO_IPV4POOL_BLOCK_SIZE} is out of range 20-32`);
  const nat = (env.CALICO_IPV4POOL_NAT_OUTGOING ?? "true").toLowerCase();
  if (nat !== "true" && nat !== "false") throw new Error(`CALICO_IPV4POOL_NAT_OUTGOING="${env.CALICO_IPV4POOL_NAT_OUTGOING}" is not true or false`);
  return {
    apiVersion: API_VERSION,
    kind: "IPPool",
    metadata: { name: "default-ipv4-ippool" },
    spec: { cidr: cidr2, blockSize, ipipMode, vxlanMode, natOutgoing: nat === "true", nodeSelector: env.CALICO_IPV4POOL_NODE_SELECTOR || "all()", allowedUses: ["Workload", "Tunnel"] }
  };
}
async function ensureDefaultPool(ds, env, log4) {
  if ((env.NO_DEFAULT_POOLS ?? "").toLowerCase() === "true") return void 0;
  const pool = defaultPoolFromEnv(env);
  if ((await ds.list("IPPool")).items.length > 0) return void 0;
  try {
    const created = await ds.create(pool);
    log4.info({ pool: pool.spec }, "created default IPv4 pool");
    return created;
  } catch (e) {
    if (isDatastoreError(e, "AlreadyExists")) return void 0;
    throw e;
  }
}
async function markClusterReady(ds, clusterType) {
  const r = await upsert(ds, "ClusterInformation", "default", (cur) => {
    const ci = cur ?? { apiVersion: API_VERSION, kind: "ClusterInformation", metadata: { name: "default" }, spec: {} };
    const spec = ci.spec ??= {};
    const before = JSON.stringify(spec);
    spec.clusterGUID ??= randomBytes(16).toString("hex");
    spec.calicoVersion = TABBY_CALICO_VERSION;
    const types = new Set(String(spec.clusterType ?? "").split(",").filter(Boolean));
    for (const t of clusterType.split(",").filter(Boolean)) types.add(t);
    spec.clusterType = [...types].join(",");
    spec.datastoreReady = true;
    if (cur && JSON.stringify(spec) === before) return void 0;
    return ci;
  });
  return r;
}
async function ensureTunnelAddresses(ds, ipam, nodeName) {
  const vxlan = await ipam.ensureTunnelAddress(nodeName, "vxlan");
  const ipip = await ipam.ensureTunnelAddress(nodeName, "ipip");
  await upsert(ds, "Node", nodeName, (cur) => {
    if (!cur) return void 0;
    const spec = cur.spec ??= {};
    const mac2 = vxlan ? vtepMacForNode(nodeName) : void 0;
    if (spec.vxlanTunnelMACAddr === mac2) return void 0;
    if (mac2) spec.vxlanTunnelMACAddr = mac2;
    else delete spec.vxlanTunnelMACAddr;
    return cur;
  });
  return { vxlan, ipip };
}
function writeStateFile(stateDir, name, content) {
  mkdirSync3(stateDir, { recursive: true });
  const path6 = join6(stateDir, name);
  const tmp = `${path6}.${process.pid}.tmp`;
  writeFileSync4(tmp, content);
  renameSync2(tmp, path6);
}
var TABBY_CALICO_VERSION, DEFAULT_EXCLUDES, MTU_IFACE_PATTERN;
var init_startup = __esm({
  "src/agent/startup.ts"() {
    "use strict";
    init_resource();
    init_types();
    init_ip();
    init_vtep_mac();
    TABBY_CALICO_VERSION = "v3.30.0-tabby";
    DEFAULT_EXCLUDES = [
      /^docker.*/,
      /^cbr0/,
      /^dummy.*/,
      /^virbr.*/,
      /^lxcbr.*/,
      /^veth.*/,
      /^lo$/,
      /^cali.*/,
      /^tunl.*/,
      /^flannel.*/,
      /^kube-ipvs.*/,
      /^cni.*/,
      /^vxlan\.calico.*/,
      /^vxlan-v6\.calico.*/,
      /^vxlan.*/,
      /^nodelocaldns.*/,
      /^br-.*/,
      /^wireguard\.cali/
    ];
    MTU_IFACE_PATTERN = /^((en|wl|ww|sl|ib)[Pcopsvx].*|(eth|wlan|wwan).*)/;
  }
});

// src/agent/calc/snapshot.ts
function keyOf(r) {
  return `${r.metadata.namespace ?? ""}/${r.metadata.name}`;
}
var AGENT_KINDS, Snapshot;
var init_snapshot = __esm({
  "src/agent/calc/snapshot.ts"() {
    "use strict";
    AGENT_KINDS = ["Node", "IPPool", "IPAMBlock", "WorkloadEndpoint", "FelixConfiguration"];
    Snapshot = class {
      byKind = /* @__PURE__ */ new Map();
      /** Incremented on every change that altered the contents. */
      version = 0;
      constructor(kinds = AGENT_KINDS) {
        for (const k of kinds) this.byKind.set(k, /* @__PURE__ */ new Map());
      }
      kinds() {
        return [...this.byKind.keys()];
      }
      items(kind) {
        return this.byKind.get(kind)?.values() ?? [];
      }
      size(kind) {
        return this.byKind.get(kind)?.size ?? 0;
      }
      get(kind, name, namespace) {
        return this.byKind.get(kind)?.get(`${namespace ?? ""}/${name}`);
      }
      /** Insert or replace; returns false (and leaves version alone) when nothing changed. */
      set(r) {
        const m = this.byKind.get(r.kind);
        if (!m) return false;
        const k = keyOf(r);
        const old = m.get(k);
        if (old && old.metadata.resourceVersion !== void 0 && old.metadata.resourceVersion === r.metadata.resourceVersion) return false;
        m.set(k, r);
        this.version++;
        return true;
      }
      delete(r) {
        const m = this.byKind.get(r.kind);
        if (!m || !m.delete(keyOf(r))) return false;
        this.version++;
        return true;
      }
      /** Replace one kind's contents wholesale (after a list). */
      replaceKind(kind, items) {
        const m = /* @__PURE__ */ new Map();
        for (const r of items) m.set(keyOf(r), r);
        this.byKind.set(kind, m);
        this.version++;
      }
    };
  }
});

// src/agent/syncer.ts
import { EventEmitter } from "node:events";
var Syncer;
var init_syncer = __esm({
  "src/agent/syncer.ts"() {
    "use strict";
    init_snapshot();
    Syncer = class extends EventEmitter {
      constructor(ds, log4, kinds = AGENT_KINDS, maxBackoffMs = 5e3) {
        super();
        this.ds = ds;
        this.log = log4;
        this.kinds = kinds;
        this.maxBackoffMs = maxBackoffMs;
        this.snapshot = new Snapshot(kinds);
      }
      ds;
      log;
      kinds;
      maxBackoffMs;
      snapshot;
      status = "wait-for-ready";
      eventsReceived = 0;
      resyncs = 0;
      lastError;
      watcher;
      stopped = false;
      retryTimer;
      backoffMs = 200;
      start() {
        void this.resync();
      }
      stop() {
        this.stopped = true;
        this.watcher?.stop();
        this.watcher = void 0;
        if (this.retryTimer) clearTimeout(this.retryTimer);
      }
      setStatus(s2) {
        if (this.status === s2) return;
        this.status = s2;
        this.emit("status", s2);
      }
      async resync() {
        if (this.stopped) return;
        this.resyncs++;
        this.setStatus("resync");
        let revision = 0;
        try {
          const lists = await Promise.all(this.kinds.map((k) => this.ds.list(k)));
          revision = Math.min(...lists.map((l) => l.revision));
          this.kinds.forEach((k, i) => this.snapshot.replaceKind(k, lists[i].items));
        } catch (e) {
          this.lastError = e.message;
          this.log.warn({ err: this.lastError, retryMs: this.backoffMs }, "datastore list failed; retrying");
          this.scheduleRetry();
          return;
        }
        if (this.stopped) return;
        this.backoffMs = 200;
        this.watcher = this.ds.watch({ kinds: [...this.kinds], fromRevision: revision }, (ev) => {
          this.eventsReceived++;
          const changed = ev.type === "deleted" ? this.snapshot.delete(ev.object) : this.snapshot.set(ev.object);
          if (changed && this.status === "in-sync") this.emit("changed");
        }, (err2) => {
          this.lastError = err2.message;
          this.log.warn({ code: err2.code, err: err2.message }, "datastore watch ended; re-listing");
          this.watcher = void 0;
          this.scheduleRetry(err2.code === "Compacted" ? 0 : void 0);
        });
        this.setStatus("in-sync");
        this.emit("changed");
      }
      scheduleRetry(delay = this.backoffMs) {
        if (this.stopped) return;
        this.setStatus("resync");
        this.retryTimer = setTimeout(() => void this.resync(), delay);
        this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
      }
    };
  }
});

// src/agent/main.ts
var main_exports = {};
__export(main_exports, {
  Agent: () => Agent
});
async function retryUnavailable(log4, fn) {
  for (let delay = 250; ; delay = Math.min(delay * 2, 5e3)) {
    try {
      return await fn();
    } catch (e) {
      if (!isDatastoreError(e, "Unavailable")) throw e;
      log4.warn({ err: e.message, retryMs: delay }, "datastore unavailable; retrying");
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
var Agent;
var init_main = __esm({
  "src/agent/main.ts"() {
    "use strict";
    init_types();
    init_graph();
    init_ipip2();
    init_nat();
    init_route_table();
    init_sysctls();
    init_vxlan();
    init_health();
    init_metrics();
    init_startup();
    init_syncer();
    Agent = class {
      constructor(opts) {
        this.opts = opts;
      }
      opts;
      metrics = new AgentMetrics();
      health = new HealthAggregator();
      syncer;
      routeTable;
      address;
      hostMtu = 1500;
      podMtu = 0;
      lastDesired;
      applies = 0;
      managers = [];
      learned = [];
      bgp;
      applyTimer;
      applying = false;
      pending = false;
      needsRetry = false;
      firstApplyOk = false;
      heartbeat = Date.now();
      timers = [];
      stopped = false;
      poolsKey = "";
      waiters = [];
      get backend() {
        return this.opts.backend ?? "bird";
      }
      async start() {
        const { ds, log: log4, kernel, nodeName } = this.opts;
        const env = this.opts.env ?? {};
        this.address = env.IP && env.IP !== "autodetect" ? await addressFromConfig(kernel, env.IP) : await detectAddress(kernel, env.IP_AUTODETECTION_METHOD || "first-found");
        log4.info({ node: nodeName, address: this.address.cidr, iface: this.address.iface }, "using node address");
        await retryUnavailable(log4, () => registerNode(ds, nodeName, this.address, env.AS));
        await ensureDefaultPool(ds, env, log4);
        const clusterType = env.CLUSTER_TYPE || (this.backend === "bird" ? "tabby,bgp" : "tabby");
        await markClusterReady(ds, clusterType);
        const ipam = this.opts.ipam ?? (await Promise.resolve().then(() => (init_ipam(), ipam_exports))).createIpam(ds);
        const tunnels = await ensureTunnelAddresses(ds, ipam, nodeName);
        if (tunnels.vxlan || tunnels.ipip) log4.info(tunnels, "tunnel addresses");
        this.hostMtu = await hostMtu(kernel);
        writeStateFile(this.opts.stateDir, "nodename", nodeName);
        this.routeTable = new RouteTable(kernel, log4.child({ mgr: "routes" }), { graceMs: this.opts.routeGraceMs });
        this.managers = [new VxlanManager(kernel, log4.child({ mgr: "vxlan" }))];
        if (!this.opts.foreignNetns) this.managers.push(new IpipManager(log4.child({ mgr: "ipip" }), this.address.iface, this.hostMtu));
        this.managers.push(this.routeTable, new NatManager(kernel, log4.child({ mgr: "nat" })), new SysctlManager(kernel, log4.child({ mgr: "sysctls" })));
        this.managers.push(...this.opts.extraManagers ?? []);
        for (const m of this.managers) this.metrics.failures.inc({ manager: m.name }, 0);
        this.health.register("agent", () => {
          const live = Date.now() - this.heartbeat < 3e4;
          const ready = this.syncer?.status === "in-sync" && this.firstApplyOk;
          return { live, ready, detail: `datastore ${this.syncer?.status ?? "not started"}; ${this.firstApplyOk ? "dataplane programmed" : "dataplane not yet programmed"}` };
        });
        if ((this.opts.healthPort ?? 9099) > 0) await this.health.listen(this.opts.healthPort ?? 9099, this.opts.healthHost ?? "127.0.0.1");
        if ((this.opts.metricsPort ?? 9091) > 0) await this.metrics.listen(this.opts.metricsPort ?? 9091, this.opts.metricsHost ?? "0.0.0.0");
        if (this.backend === "bird" && !this.opts.foreignNetns) await this.startBgp();
        this.syncer = new Syncer(ds, log4.child({ mod: "syncer" }));
        this.syncer.on("changed", () => {
          this.metrics.datastoreEvents.inc();
          this.onSnapshotChanged();
          this.scheduleApply();
        });
        this.syncer.on("status", (s2) => log4.info({ status: s2 }, "datastore sync status"));
        this.syncer.start();
        this.timers.push(setInterval(() => {
          this.heartbeat = Date.now();
        }, 1e3));
        this.timers.push(setInterval(() => this.requestResync(), this.opts.resyncIntervalMs ?? 9e4));
      }
      async startBgp() {
        const { ds, nodeName, log: log4 } = this.opts;
        const modPath = "../bgp/node-integration.ts";
        let mod;
        try {
          mod = await import(modPath);
        } catch (e) {
          log4.warn({ err: e.message }, "BGP backend requested but the BGP speaker is not available; running without BGP");
          return;
        }
        this.bgp = await mod.startBgp({
          ds,
          nodeName,
          log: log4.child({ mod: "bgp" }),
          listenPort: this.opts.bgpListenPort,
          onRoutes: (routes) => {
            this.learned = routes;
            this.metrics.bgpRoutes.set(routes.length);
            this.scheduleApply();
          }
        });
        const bgp = this.bgp;
        if (typeof mod.bgpStatusHandler === "function") this.health.mount("/bgp/status", mod.bgpStatusHandler(bgp));
        else this.health.mount("/bgp/status", (_req, res) => {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(bgp.status()));
        });
        this.health.register("bgp", () => ({ live: true, ready: true, detail: "BGP speaker running" }));
      }
      /** Re-run allocate-tunnel-addrs when pools change (a pool switched to VXLAN needs a tunnel address). */
      onSnapshotChanged() {
        const pools = [...this.syncer.snapshot.items("IPPool")].map((p) => `${p.metadata.name}:${p.metadata.resourceVersion}`).sort().join(",");
        if (pools === this.poolsKey) return;
        const first = this.poolsKey === "";
        this.poolsKey = pools;
        if (first) return;
        const ipam = this.opts.ipam;
        void (async () => {
          try {
            const i = ipam ?? (await Promise.resolve().then(() => (init_ipam(), ipam_exports))).createIpam(this.opts.ds);
            await ensureTunnelAddresses(this.opts.ds, i, this.opts.nodeName);
          } catch (e) {
            this.opts.log.warn({ err: e.message }, "tunnel address allocation failed");
          }
        })();
      }
      requestResync() {
        for (const m of this.managers) m.requestResync();
        this.metrics.resyncs.inc();
        this.scheduleApply();
      }
      scheduleApply(delayMs = this.opts.throttleMs ?? 5) {
        if (this.stopped) return;
        if (this.applying) {
          this.pending = true;
          return;
        }
        if (this.applyTimer) return;
        this.applyTimer = setTimeout(() => {
          this.applyTimer = void 0;
          void this.applyNow();
        }, delayMs);
      }
      /** Resolves after the next apply pass that started after this call completes. */
      waitForApply() {
        return new Promise((r) => {
          this.waiters.push(r);
          this.scheduleApply();
        });
      }
      async applyNow() {
        if (this.stopped || this.syncer.status !== "in-sync") return;
        this.applying = true;
        this.pending = false;
        const waiters = this.waiters.splice(0);
        const { log: log4 } = this.opts;
        const ctx = {
          nodeName: this.opts.nodeName,
          parentIface: this.address.iface,
          hostMtu: this.hostMtu,
          bgpEnabled: this.bgp !== void 0,
          learnedRoutes: this.learned
        };
        const endApply = this.metrics.applyTime.startTimer();
        let failed = false;
        try {
          const endCalc = this.metrics.calcTime.startTimer();
          const desired = calculate(this.syncer.snapshot, ctx);
          endCalc();
          if (desired.problems.length && JSON.stringify(desired.problems) !== JSON.stringify(this.lastDesired?.problems)) {
            log4.warn({ problems: desired.problems.slice(0, 20) }, "skipped datastore objects");
          }
          this.lastDesired = desired;
          if (desired.podMtu !== this.podMtu) {
            writeStateFile(this.opts.stateDir, "mtu", `${desired.podMtu}
`);
            log4.info({ podMtu: desired.podMtu, hostMtu: this.hostMtu }, "pod MTU");
            this.podMtu = desired.podMtu;
          }
          this.metrics.localEndpoints.set(desired.workloadInterfaces.length);
          this.metrics.clusterHosts.set(this.syncer.snapshot.size("Node"));
          for (const m of this.managers) m.onUpdate(desired, this.syncer.snapshot);
          const before = { ...this.routeTable.stats };
          for (const m of this.managers) {
            try {
              if (m === this.routeTable) {
                const end = this.metrics.resyncTime.startTimer();
                await m.apply();
                end();
              } else await m.apply();
            } catch (e) {
              failed = true;
              this.metrics.failures.inc({ manager: m.name });
              m.requestResync();
              log4.warn({ mgr: m.name, err: e.message }, "dataplane apply failed; will resync and retry");
            }
          }
          this.metrics.routesProgrammed.inc(this.routeTable.stats.routesProgrammed - before.routesProgrammed);
          this.metrics.routesDeleted.inc(this.routeTable.stats.routesDeleted - before.routesDeleted);
          this.metrics.routes.set(this.routeTable.programmedCount());
          this.applies++;
          if (!failed && !this.firstApplyOk) {
            this.firstApplyOk = true;
            log4.info({ routes: this.routeTable.programmedCount() }, "dataplane in sync");
          }
        } catch (e) {
          failed = true;
          log4.error({ err: e.stack }, "apply failed");
        } finally {
          endApply();
          this.applying = false;
          for (const w of waiters) w();
        }
        if (failed) {
          this.needsRetry = true;
          setTimeout(() => this.scheduleApply(), 1e3).unref?.();
        } else this.needsRetry = false;
        const grace = this.routeTable.nextGraceExpiry();
        if (grace !== void 0) setTimeout(() => this.scheduleApply(), Math.max(10, grace - Date.now() + 10)).unref?.();
        if (this.pending) this.scheduleApply();
      }
      status() {
        return { ready: this.firstApplyOk, syncStatus: this.syncer?.status ?? "not started", routes: this.routeTable?.programmedCount() ?? 0, needsRetry: this.needsRetry };
      }
      /** Stop the loop and the servers. Kernel state stays as it is (a restarted agent adopts it). */
      async stop() {
        this.stopped = true;
        if (this.applyTimer) clearTimeout(this.applyTimer);
        for (const t of this.timers) clearInterval(t);
        this.syncer?.stop();
        await this.bgp?.stop();
        for (const m of this.managers) if (m instanceof IpipManager) await m.stop();
        await this.health.close();
        await this.metrics.close();
      }
    };
  }
});

// node_modules/commander/esm.mjs
var import_index = __toESM(require_commander(), 1);
var {
  program,
  createCommand,
  createArgument,
  createOption,
  CommanderError,
  InvalidArgumentError,
  InvalidOptionArgumentError,
  // deprecated old name
  Command,
  Argument,
  Option,
  Help
} = import_index.default;

// src/ctl/resources.ts
import { readFile, readdir, stat } from "node:fs/promises";
import { join as join3 } from "node:path";
var import_yaml3 = __toESM(require_dist(), 1);
init_kinds();
init_resource();

// src/api/client.ts
init_types();
init_kinds();
init_resource();

// src/api/cidr.ts
function familyBits(family2) {
  return family2 === 4 ? 32 : 128;
}
function allOnes(bits) {
  return (1n << BigInt(bits)) - 1n;
}
function parseIPv4Value(s2) {
  const parts = s2.split(".");
  if (parts.length !== 4) return void 0;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return void 0;
    const n = Number(p);
    if (n > 255) return void 0;
    v = v << 8n | BigInt(n);
  }
  return v;
}
function parseIPv6Value(s2) {
  if (s2.length < 2 || s2.length > 45) return void 0;
  let head = s2;
  let v4Tail;
  const lastColon = s2.lastIndexOf(":");
  if (lastColon >= 0 && s2.slice(lastColon + 1).includes(".")) {
    v4Tail = parseIPv4Value(s2.slice(lastColon + 1));
    if (v4Tail === void 0) return void 0;
    head = s2.slice(0, lastColon + 1) + "0:0";
  }
  const dbl = head.indexOf("::");
  if (dbl !== head.lastIndexOf("::")) return void 0;
  const parseGroups = (part) => {
    if (part === "") return [];
    const out3 = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return void 0;
      out3.push(parseInt(g, 16));
    }
    return out3;
  };
  let groups;
  if (dbl >= 0) {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (!left || !right) return void 0;
    const missing = 8 - left.length - right.length;
    if (missing < 1) return void 0;
    groups = [...left, ...new Array(missing).fill(0), ...right];
  } else {
    const all = parseGroups(head);
    if (!all || all.length !== 8) return void 0;
    groups = all;
  }
  let v = 0n;
  for (const g of groups) v = v << 16n | BigInt(g);
  if (v4Tail !== void 0) v = v & ~allOnes(32) | v4Tail;
  return v;
}
function tryParseIP(s2) {
  if (typeof s2 !== "string") return void 0;
  if (s2.includes(":")) {
    const v2 = parseIPv6Value(s2);
    return v2 === void 0 ? void 0 : { family: 6, value: v2 };
  }
  const v = parseIPv4Value(s2);
  return v === void 0 ? void 0 : { family: 4, value: v };
}
function formatIP(a) {
  if (a.family === 4) {
    const v = a.value;
    return [24n, 16n, 8n, 0n].map((sh) => String(v >> sh & 255n)).join(".");
  }
  const groups = [];
  for (let i = 7; i >= 0; i--) groups.push(Number(a.value >> BigInt(i * 16) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}
function tryParseCIDR(s2) {
  if (typeof s2 !== "string") return void 0;
  const slash = s2.indexOf("/");
  if (slash < 0 || slash !== s2.lastIndexOf("/")) return void 0;
  const addr = tryParseIP(s2.slice(0, slash));
  const p = s2.slice(slash + 1);
  if (!addr || !/^(0|[1-9][0-9]{0,2})$/.test(p)) return void 0;
  const prefix = Number(p);
  if (prefix > familyBits(addr.family)) return void 0;
  return { family: addr.family, ip: addr.value, prefix };
}
function tryParseCIDROrIP(s2) {
  if (typeof s2 !== "string") return void 0;
  if (s2.includes("/")) return tryParseCIDR(s2);
  const a = tryParseIP(s2);
  return a ? { family: a.family, ip: a.value, prefix: familyBits(a.family) } : void 0;
}
function prefixMask(family2, prefix) {
  const bits = familyBits(family2);
  return allOnes(bits) ^ allOnes(bits - prefix);
}
function networkAddress(c) {
  return c.ip & prefixMask(c.family, c.prefix);
}
function isMasked(c) {
  return c.ip === networkAddress(c);
}
function maskCIDR(c) {
  return { family: c.family, ip: networkAddress(c), prefix: c.prefix };
}
function formatCIDR(c) {
  return `${formatIP({ family: c.family, value: c.ip })}/${c.prefix}`;
}
function cidrContainsIP(c, a) {
  return c.family === a.family && (a.value & prefixMask(c.family, c.prefix)) === networkAddress(c);
}
function cidrContains(outer, inner) {
  return outer.family === inner.family && outer.prefix <= inner.prefix && (inner.ip & prefixMask(outer.family, outer.prefix)) === networkAddress(outer);
}
function cidrsOverlap(a, b2) {
  return cidrContains(a, b2) || cidrContains(b2, a);
}
var IPV4_LINK_LOCAL = { family: 4, ip: 0xa9fe0000n, prefix: 16 };
var IPV6_LINK_LOCAL = { family: 6, ip: 0xfe80n << 112n, prefix: 10 };
function isMAC(s2) {
  return typeof s2 === "string" && /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(s2);
}

// src/api/schema.ts
function typeName(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return "object";
  return typeof v;
}
function isPlainObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function join(path6, key) {
  return path6 ? `${path6}.${key}` : key;
}
function str(...checks) {
  return (v, path6, errs) => {
    if (typeof v !== "string") {
      errs.push({ field: path6, value: v, message: `must be a string, not ${typeName(v)}` });
      return;
    }
    for (const c of checks) {
      const m = c(v);
      if (m) {
        errs.push({ field: path6, value: v, message: m });
        return;
      }
    }
  };
}
function oneOf(...allowed) {
  return str((s2) => allowed.includes(s2) ? void 0 : `must be one of ${allowed.join(", ")}`);
}
function int(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (v, path6, errs) => {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      errs.push({ field: path6, value: v, message: `must be an integer, not ${typeName(v)}` });
    } else if (v < min || v > max) {
      errs.push({ field: path6, value: v, message: `must be between ${min} and ${max}` });
    }
  };
}
function num() {
  return (v, path6, errs) => {
    if (typeof v !== "number" || !Number.isFinite(v)) errs.push({ field: path6, value: v, message: `must be a number, not ${typeName(v)}` });
  };
}
function bool() {
  return (v, path6, errs) => {
    if (typeof v !== "boolean") errs.push({ field: path6, value: v, message: `must be true or false, not ${typeName(v)}` });
  };
}
function anything() {
  return () => {
  };
}
function list(item, max) {
  return (v, path6, errs) => {
    if (!Array.isArray(v)) {
      errs.push({ field: path6, value: v, message: `must be a list, not ${typeName(v)}` });
      return;
    }
    if (max !== void 0 && v.length > max) errs.push({ field: path6, value: `${v.length} items`, message: `must have at most ${max} items` });
    v.forEach((x, i) => item(x, `${path6}[${i}]`, errs));
  };
}
function mapOf(value, key) {
  return (v, path6, errs) => {
    if (!isPlainObject(v)) {
      errs.push({ field: path6, value: v, message: `must be a map, not ${typeName(v)}` });
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      const m = key?.(k);
      if (m) errs.push({ field: `${path6}[${JSON.stringify(k)}]`, value: k, message: m });
      value(x, join(path6, k), errs);
    }
  };
}
function obj(fields, opts = {}) {
  return (v, path6, errs) => {
    if (!isPlainObject(v)) {
      errs.push({ field: path6, value: v, message: `must be an object, not ${typeName(v)}` });
      return;
    }
    for (const r of opts.required ?? []) {
      if (v[r] === void 0 || v[r] === null || v[r] === "") errs.push({ field: join(path6, r), value: v[r] ?? "", message: "is required" });
    }
    for (const [k, x] of Object.entries(v)) {
      const f = Object.prototype.hasOwnProperty.call(fields, k) ? fields[k] : void 0;
      if (!f) {
        if (!opts.open) errs.push({ field: join(path6, k), value: x, message: `unknown field "${k}"` });
        continue;
      }
      if (x === null) continue;
      f(x, join(path6, k), errs);
    }
  };
}
function numberOrString(asNumber2, asString) {
  return (v, path6, errs) => {
    if (typeof v === "number") asNumber2(v, path6, errs);
    else if (typeof v === "string") asString(v, path6, errs);
    else errs.push({ field: path6, value: v, message: `must be a number or a string, not ${typeName(v)}` });
  };
}
function refine(base, check2) {
  return (v, path6, errs) => {
    const before = errs.length;
    base(v, path6, errs);
    if (errs.length === before) check2(v, path6, errs);
  };
}
function refineAlways(base, check2) {
  return (v, path6, errs) => {
    base(v, path6, errs);
    if (isPlainObject(v)) check2(v, path6, errs);
  };
}

// src/api/defaults.ts
var DEFAULT_IPV4_BLOCK_SIZE = 26;
var DEFAULT_IPV6_BLOCK_SIZE = 122;
var DEFAULT_AS_NUMBER = 64512;
var DEFAULT_TIER = "default";
var DEFAULT_NAMESPACE = "default";
function defaultIPPool(spec) {
  const c = typeof spec.cidr === "string" ? tryParseCIDR(spec.cidr) : void 0;
  if (c && isMasked(c)) spec.cidr = formatCIDR(c);
  if (spec.blockSize === void 0 && c) spec.blockSize = c.family === 4 ? DEFAULT_IPV4_BLOCK_SIZE : DEFAULT_IPV6_BLOCK_SIZE;
  spec.ipipMode ??= "Never";
  spec.vxlanMode ??= "Never";
  if (spec.nodeSelector === void 0 || spec.nodeSelector === "") spec.nodeSelector = "all()";
  if (spec.allowedUses === void 0 || Array.isArray(spec.allowedUses) && spec.allowedUses.length === 0) spec.allowedUses = ["Workload", "Tunnel"];
}
function inferPolicyTypes(spec) {
  const ingress = Array.isArray(spec.ingress) && spec.ingress.length > 0;
  const egress = Array.isArray(spec.egress) && spec.egress.length > 0;
  if (!egress) return ["Ingress"];
  if (!ingress) return ["Egress"];
  return ["Ingress", "Egress"];
}
function defaultPolicy(spec) {
  if (spec.tier === void 0 || spec.tier === "") spec.tier = DEFAULT_TIER;
  if (spec.types === void 0 || Array.isArray(spec.types) && spec.types.length === 0) spec.types = inferPolicyTypes(spec);
}
function defaultBGPConfiguration(name, spec) {
  if (name !== "default") return;
  spec.asNumber ??= DEFAULT_AS_NUMBER;
  spec.nodeToNodeMeshEnabled ??= true;
  spec.logSeverityScreen ??= "Info";
}
function defaultIPAMConfiguration(spec) {
  spec.strictAffinity ??= false;
  spec.autoAllocateBlocks ??= true;
}
function applyDefaults(r, opts = {}) {
  const out3 = structuredClone(r);
  if (opts.namespaced && isPlainObject(out3.metadata) && (out3.metadata.namespace === void 0 || out3.metadata.namespace === "")) {
    out3.metadata.namespace = opts.defaultNamespace ?? DEFAULT_NAMESPACE;
  }
  const needsSpec = ["IPPool", "NetworkPolicy", "GlobalNetworkPolicy", "BGPConfiguration", "IPAMConfiguration"].includes(out3.kind);
  if (out3.spec === void 0 && needsSpec && out3.kind !== "IPPool") out3.spec = {};
  if (!isPlainObject(out3.spec)) return out3;
  const spec = out3.spec;
  const name = isPlainObject(out3.metadata) && typeof out3.metadata.name === "string" ? out3.metadata.name : "";
  switch (out3.kind) {
    case "IPPool":
      defaultIPPool(spec);
      break;
    case "NetworkPolicy":
    case "GlobalNetworkPolicy":
      defaultPolicy(spec);
      break;
    case "BGPConfiguration":
      defaultBGPConfiguration(name, spec);
      break;
    case "IPAMConfiguration":
      defaultIPAMConfiguration(spec);
      break;
    default:
      break;
  }
  return out3;
}

// src/api/validate.ts
init_resource();
init_kinds();
init_selector();
var ValidationError = class extends Error {
  constructor(resource, errors) {
    super(formatValidationErrors(resource, errors));
    this.resource = resource;
    this.errors = errors;
    this.name = "ValidationError";
  }
  resource;
  errors;
};
function formatValue(v) {
  if (typeof v === "string") return v;
  if (v === void 0) return "";
  return JSON.stringify(v);
}
function formatValidationErrors(resource, errors) {
  if (errors.length === 1) {
    const e = errors[0];
    return `${resource}: error with field ${e.field} = '${formatValue(e.value)}' (${e.message})`;
  }
  return `${resource}: error(s) with fields:` + errors.map((e) => `
-  ${e.field} = '${formatValue(e.value)}' (${e.message})`).join("");
}
var LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
var DNS_LABEL = new RegExp(`^${LABEL_FMT}$`);
var DNS_SUBDOMAIN = new RegExp(`^${LABEL_FMT}(\\.${LABEL_FMT})*$`);
var QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
var LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
var GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/;
var INTERFACE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;
var INTERFACE_PATTERN = /^[a-zA-Z0-9_.*+-]{1,15}$/;
var dnsSubdomain = (s2) => {
  if (s2.length > 253) return `name is too long by ${s2.length - 253} bytes`;
  if (!DNS_SUBDOMAIN.test(s2)) return "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  return void 0;
};
var NP_NAME = new RegExp(`^((${LABEL_FMT})(\\.${LABEL_FMT})?|((?:knp|ossg)\\.default\\.(${LABEL_FMT}(\\.${LABEL_FMT})*)))$`);
var GNP_NAME = new RegExp(`^(${LABEL_FMT}\\.)?${LABEL_FMT}$`);
var networkPolicyName = (s2) => {
  if (s2.length > 253) return `name is too long by ${s2.length - 253} bytes`;
  return NP_NAME.test(s2) ? void 0 : "name must consist of lower case alphanumeric characters or '-', with at most one '.' (or be a knp.default.<name> Kubernetes policy)";
};
var globalNetworkPolicyName = (s2) => {
  if (s2.length > 253) return `name is too long by ${s2.length - 253} bytes`;
  return GNP_NAME.test(s2) ? void 0 : "name must consist of lower case alphanumeric characters or '-', with at most one '.'";
};
var dnsLabel = (s2) => {
  if (s2.length > 63) return "must be no more than 63 characters";
  if (!DNS_LABEL.test(s2)) return "must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  return void 0;
};
var labelKey = (k) => {
  const slash = k.indexOf("/");
  const prefix = slash >= 0 ? k.slice(0, slash) : void 0;
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if (prefix !== void 0) {
    if (!prefix) return "label key prefix must not be empty";
    const m = dnsSubdomain(prefix);
    if (m) return `label key prefix ${m}`;
  }
  if (!name) return "label key name must not be empty";
  if (name.length > 63) return "label key name must be no more than 63 characters";
  if (!QUALIFIED_NAME_PART.test(name)) return "label key name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return void 0;
};
var labelValue = (v) => {
  if (v.length > 63) return "label value must be no more than 63 characters";
  if (!LABEL_VALUE.test(v)) return "label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return void 0;
};
var selector = (s2) => selectorError(s2);
var duration = (s2) => GO_DURATION.test(s2) ? void 0 : "must be a duration such as 30s, 5m or 1h30m";
var ipAddress = (s2) => tryParseIP(s2) ? void 0 : "must be a valid IP address";
var ipv4Address = (s2) => tryParseIP(s2)?.family === 4 ? void 0 : "must be a valid IPv4 address";
var ipv6Address = (s2) => tryParseIP(s2)?.family === 6 ? void 0 : "must be a valid IPv6 address";
var cidrOrIP = (s2) => tryParseCIDROrIP(s2) ? void 0 : "must be a valid IP address or CIDR";
var cidr = (s2) => tryParseCIDR(s2) ? void 0 : "must be a valid CIDR such as 10.0.0.0/16";
var cidrFamily = (family2) => (s2) => {
  const c = tryParseCIDROrIP(s2);
  return c && c.family === family2 ? void 0 : `must be a valid IPv${family2} address with prefix length, e.g. ${family2 === 4 ? "10.0.0.5/24" : "fd00::5/64"}`;
};
var maskedCIDR = (s2) => {
  const c = tryParseCIDR(s2);
  if (!c) return "must be a valid CIDR such as 10.0.0.0/16";
  if (!isMasked(c)) return `IP pool CIDR is not strictly masked (did you mean ${formatCIDR(maskCIDR(c))}?)`;
  return void 0;
};
var mac = (s2) => isMAC(s2) ? void 0 : "must be a MAC address such as ee:ee:ee:ee:ee:ee";
var asNumber = (v, path6, errs) => {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 1 || v > 4294967295) errs.push({ field: path6, value: v, message: "AS number must be between 1 and 4294967295" });
    return;
  }
  if (typeof v === "string") {
    const plain = /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 4294967295;
    const dotted = /^(\d+)\.(\d+)$/.exec(v);
    const dottedOk = dotted !== null && Number(dotted[1]) <= 65535 && Number(dotted[2]) <= 65535 && Number(dotted[1]) + Number(dotted[2]) > 0;
    if (!plain && !dottedOk) errs.push({ field: path6, value: v, message: "AS number must be between 1 and 4294967295, or dotted notation such as 1.10" });
    return;
  }
  errs.push({ field: path6, value: v, message: "AS number must be a number" });
};
function portNumberRange(s2) {
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(s2);
  if (!m) return void 0;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi < 1 || lo > 65535 || hi > 65535) return "port range invalid, port number must be between 1 and 65535";
  if (lo > hi) return `port range invalid: minimum ${lo} is greater than maximum ${hi}`;
  return "";
}
var portName = (s2) => {
  if (s2.length > 15) return "port name must be no more than 15 characters";
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s2) || s2.includes("--")) return 'port name must be lower case alphanumerics and single "-", starting and ending with an alphanumeric';
  if (!/[a-z]/.test(s2)) return "port name must contain at least one letter";
  return void 0;
};
var port = numberOrString(int(1, 65535), str((s2) => {
  const r = portNumberRange(s2);
  if (r !== void 0) return r || void 0;
  if (/^\d+$/.test(s2)) return Number(s2) < 1 || Number(s2) > 65535 ? "port number must be between 1 and 65535" : void 0;
  return portName(s2);
}));
function isNamedPort(p) {
  return typeof p === "string" && !/^\d+(:\d+)?$/.test(p);
}
var PROTOCOL_NAMES = ["TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite"];
var protocol = numberOrString(int(1, 255), str((s2) => {
  if (PROTOCOL_NAMES.includes(s2)) return void 0;
  if (/^\d+$/.test(s2)) return Number(s2) >= 1 && Number(s2) <= 255 ? void 0 : "protocol number invalid: must be 1-255";
  return `protocol name invalid: must be one of ${PROTOCOL_NAMES.join(", ")} or a number 1-255`;
}));
function protocolSupportsPorts(p) {
  if (typeof p === "number") return p === 6 || p === 17 || p === 132;
  return typeof p === "string" && ["TCP", "UDP", "SCTP", "6", "17", "132"].includes(p);
}
var secretKeyRef = obj({ secretKeyRef: obj({ name: str(dnsSubdomain), key: str(), optional: bool() }, { required: ["name", "key"] }) });
var icmpFields = refine(
  obj({ type: int(0, 254), code: int(0, 255) }),
  (v, path6, errs) => {
    if (v.code !== void 0 && v.type === void 0) errs.push({ field: `${path6}.code`, value: v.code, message: "ICMP code specified without an ICMP type" });
  }
);
var maskedNet = (s2) => {
  const c = tryParseCIDROrIP(s2);
  if (!c) return "invalid CIDR";
  if (!isMasked(c)) return `CIDR is not strictly masked; did you mean ${formatCIDR(maskCIDR(c))}?`;
  return void 0;
};
var localSelector = (s2) => {
  const m = selectorError(s2);
  if (m) return m;
  return /\bglobal\s*\(/.test(s2) ? "global() can only be used in an EntityRule namespaceSelector" : void 0;
};
var ruleNamespaceSelector = (s2) => {
  const m = selectorError(s2);
  if (m) return m;
  return /\bglobal\s*\(/.test(s2) && !/^\s*global\s*\(\s*\)\s*$/.test(s2) ? "global() cannot be combined with other selectors" : void 0;
};
var entityRule = refine(obj({
  nets: list(str(maskedNet)),
  notNets: list(str(maskedNet)),
  selector: str(localSelector),
  notSelector: str(localSelector),
  namespaceSelector: str(ruleNamespaceSelector),
  ports: list(port),
  notPorts: list(port),
  serviceAccounts: obj({ names: list(str()), selector: str(localSelector) }),
  services: obj({ name: str(), namespace: str() }, { required: ["name"] })
}), (e, path6, errs) => {
  if (!e.services) return;
  if (e.selector || e.notSelector) errs.push({ field: `${path6}.services`, value: e.services, message: "cannot specify selector/notSelector and services on the same rule" });
  if (e.nets?.length || e.notNets?.length) errs.push({ field: `${path6}.services`, value: e.services, message: "cannot specify nets/notNets and services on the same rule" });
});
function checkRule(r, path6, errs) {
  const seen = /* @__PURE__ */ new Set();
  for (const side of ["source", "destination"]) {
    const e = r[side];
    if (!e) continue;
    for (const key of ["ports", "notPorts"]) {
      const ports = e[key] ?? [];
      if (!ports.length) continue;
      if (r.protocol === void 0) {
        if (!ports.every(isNamedPort)) errs.push({ field: `${path6}.${side}.${key}`, value: ports, message: "rules with numeric port or port range must set protocol to TCP or UDP or SCTP" });
      } else if (!protocolSupportsPorts(r.protocol)) {
        errs.push({ field: `${path6}.${side}.${key}`, value: ports, message: "rules that specify ports must set protocol to TCP or UDP or SCTP" });
      }
    }
    for (const key of ["nets", "notNets"]) {
      const fams = /* @__PURE__ */ new Set();
      (e[key] ?? []).forEach((n, i) => {
        const c = tryParseCIDROrIP(n);
        if (!c) return;
        fams.add(c.family);
        if (r.ipVersion !== void 0 && c.family !== r.ipVersion) {
          errs.push({ field: `${path6}.${side}.${key}[${i}]`, value: n, message: `rule IP version ${r.ipVersion} doesn't match CIDR version` });
        }
        if (key === "notNets" && c.prefix === 0) {
          errs.push({ field: `${path6}.${side}.${key}[${i}]`, value: n, message: "catch-all CIDR in negation creates logical contradiction (matches no traffic)" });
        }
      });
      if (fams.size > 1 || [...fams].some((f) => seen.size && !seen.has(f))) {
        errs.push({ field: `${path6}.${side}.${key}`, value: e[key], message: "rule contains both IPv4 and IPv6 CIDRs" });
      }
      for (const f of fams) seen.add(f);
    }
  }
  for (const key of ["icmp", "notICMP"]) {
    if (r[key] === void 0) continue;
    if (!["ICMP", "ICMPv6", 1, 58, "1", "58"].includes(r.protocol)) {
      errs.push({ field: `${path6}.${key}`, value: r[key], message: "ICMP fields require protocol ICMP or ICMPv6" });
    }
  }
  if (r.ipVersion === 6 && (r.protocol === "ICMP" || r.protocol === 1)) errs.push({ field: `${path6}.protocol`, value: r.protocol, message: "protocol ICMP is IPv4 only; use ICMPv6 with ipVersion 6" });
  if (r.ipVersion === 4 && (r.protocol === "ICMPv6" || r.protocol === 58)) errs.push({ field: `${path6}.protocol`, value: r.protocol, message: "protocol ICMPv6 is IPv6 only; use ICMP with ipVersion 4" });
}
var httpMatch = refine(
  obj({ methods: list(str()), paths: list(obj({ exact: str(), prefix: str() })) }),
  (h, path6, errs) => {
    if (h.methods && new Set(h.methods).size !== h.methods.length) errs.push({ field: `${path6}.methods`, value: h.methods, message: "invalid methods (duplicates)" });
    (h.paths ?? []).forEach((p, i) => {
      const v = p.exact || p.prefix;
      if (p.exact && p.prefix) errs.push({ field: `${path6}.paths[${i}]`, value: p, message: "invalid path match: both 'exact' and 'prefix' are set" });
      else if (!v) errs.push({ field: `${path6}.paths[${i}]`, value: p, message: "invalid path match: either 'exact' or 'prefix' must be set" });
      else if (!v.startsWith("/") || /[? #]/.test(v)) errs.push({ field: `${path6}.paths[${i}]`, value: v, message: "invalid path: must start with / and not contain ?, # or space" });
    });
  }
);
var rule = refine(obj({
  action: oneOf("Allow", "Deny", "Log", "Pass"),
  ipVersion: (v, path6, errs) => {
    if (v !== 4 && v !== 6) errs.push({ field: path6, value: v, message: "must be 4 or 6" });
  },
  protocol,
  notProtocol: protocol,
  icmp: icmpFields,
  notICMP: icmpFields,
  source: entityRule,
  destination: entityRule,
  http: httpMatch,
  metadata: obj({ annotations: mapOf(str()) })
}, { required: ["action"] }), checkRule);
var POLICY_TYPES = ["Ingress", "Egress"];
var policyTypes = refine(list(oneOf(...POLICY_TYPES), 2), (v, path6, errs) => {
  if (new Set(v).size !== v.length) errs.push({ field: path6, value: v, message: "must not repeat a policy type" });
});
var policyCommon = {
  tier: str(dnsLabel),
  order: num(),
  selector: str(localSelector),
  types: policyTypes,
  ingress: list(rule, 1024),
  egress: list(rule, 1024),
  serviceAccountSelector: str(localSelector),
  performanceHints: list(oneOf("AssumeNeededOnEveryNode"))
};
function checkPolicyDirections(v, path6, errs, global) {
  (v.egress ?? []).forEach((r, i) => {
    if (r.source?.services) errs.push({ field: `${path6}.egress[${i}].source.services`, value: r.source.services, message: "not allowed in egress rule source" });
    if (r.http) errs.push({ field: `${path6}.egress[${i}].http`, value: r.http, message: "not allowed in egress rule" });
    if (global && r.destination?.services && !r.destination.services.namespace) {
      errs.push({ field: `${path6}.egress[${i}].destination.services.namespace`, value: "", message: "must specify a namespace" });
    }
  });
  (v.ingress ?? []).forEach((r, i) => {
    if (r.destination?.services) errs.push({ field: `${path6}.ingress[${i}].destination.services`, value: r.destination.services, message: "not allowed in ingress rule destination" });
    if (global && r.source?.services && !r.source.services.namespace) {
      errs.push({ field: `${path6}.ingress[${i}].source.services.namespace`, value: "", message: "must specify a namespace" });
    }
  });
}
var networkPolicySpec = refine(obj(policyCommon), (v, path6, errs) => checkPolicyDirections(v, path6, errs, false));
var globalPolicySpec = refine(obj({
  ...policyCommon,
  namespaceSelector: str(localSelector),
  doNotTrack: bool(),
  preDNAT: bool(),
  applyOnForward: bool()
}), (v, path6, errs) => {
  checkPolicyDirections(v, path6, errs, true);
  if (v.preDNAT && v.doNotTrack) errs.push({ field: `${path6}.preDNAT`, value: true, message: "preDNAT and doNotTrack cannot both be true" });
  if ((v.preDNAT || v.doNotTrack) && !v.applyOnForward) {
    errs.push({ field: `${path6}.applyOnForward`, value: v.applyOnForward ?? false, message: "applyOnForward must be true if either preDNAT or doNotTrack is true" });
  }
  if (v.preDNAT && v.egress?.length) errs.push({ field: `${path6}.egress`, value: `${v.egress.length} rules`, message: "preDNAT policy cannot have any egress rules" });
  if (v.preDNAT && v.types?.includes("Egress")) errs.push({ field: `${path6}.types`, value: v.types, message: "preDNAT policy cannot have 'Egress' type" });
});
var endpointPort = refine(obj({
  name: str(portName),
  protocol,
  port: int(1, 65535),
  hostPort: int(0, 65535),
  hostIP: str(ipAddress)
}, { required: ["port", "protocol"] }), (p, path6, errs) => {
  if (!protocolSupportsPorts(p.protocol)) errs.push({ field: `${path6}.protocol`, value: p.protocol, message: "endpoint port protocol does not support ports (use TCP, UDP or SCTP)" });
  if (!p.name && !p.hostPort) errs.push({ field: `${path6}.name`, value: "", message: "port name must not be empty if no hostPort is specified" });
});
var logSeverity = oneOf("Trace", "Debug", "Info", "Warning", "Error", "Fatal", "Panic", "None");
var ippoolSpec = refineAlways(obj({
  cidr: str(maskedCIDR),
  blockSize: int(0, 128),
  ipipMode: oneOf("Never", "Always", "CrossSubnet"),
  vxlanMode: oneOf("Never", "Always", "CrossSubnet"),
  natOutgoing: bool(),
  disabled: bool(),
  disableBGPExport: bool(),
  nodeSelector: str(selector),
  namespaceSelector: str(selector),
  allowedUses: refine(list(oneOf("Workload", "Tunnel", "LoadBalancer")), (v, path6, errs) => {
    if (new Set(v).size !== v.length) errs.push({ field: path6, value: v, message: "must not repeat a use" });
  }),
  assignmentMode: oneOf("Automatic", "Manual")
}, { required: ["cidr"] }), (v, path6, errs) => {
  const c = typeof v.cidr === "string" ? tryParseCIDR(v.cidr) : void 0;
  if (c?.family === 4 && cidrsOverlap(c, IPV4_LINK_LOCAL)) {
    errs.push({ field: `${path6}.cidr`, value: v.cidr, message: "IP pool range overlaps with IPv4 Link Local range 169.254.0.0/16" });
  }
  if (c?.family === 6 && cidrsOverlap(c, IPV6_LINK_LOCAL)) {
    errs.push({ field: `${path6}.cidr`, value: v.cidr, message: "IP pool range overlaps with IPv6 Link Local range fe80::/10" });
  }
  if (c && typeof v.blockSize === "number" && Number.isInteger(v.blockSize)) {
    const [lo, hi] = c.family === 4 ? [20, 32] : [116, 128];
    if (v.blockSize < lo || v.blockSize > hi) {
      errs.push({ field: `${path6}.blockSize`, value: v.blockSize, message: `block size for an IPv${c.family} pool must be between ${lo} and ${hi}` });
    } else if (c.prefix > v.blockSize && !v.disabled) {
      errs.push({ field: `${path6}.cidr`, value: v.cidr, message: `IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size (/${v.blockSize}).` });
    }
  }
  const ipip = typeof v.ipipMode === "string" ? v.ipipMode : "Never";
  const vxlan = typeof v.vxlanMode === "string" ? v.vxlanMode : "Never";
  if (ipip !== "Never" && c?.family === 6) errs.push({ field: `${path6}.ipipMode`, value: ipip, message: "IPIP is not supported on an IPv6 IP pool" });
  if (ipip !== "Never" && vxlan !== "Never") errs.push({ field: `${path6}.vxlanMode`, value: vxlan, message: "IPIP and VXLAN cannot both be enabled on the same IP pool" });
  const uses = Array.isArray(v.allowedUses) ? v.allowedUses : [];
  if (uses.includes("LoadBalancer")) {
    if (uses.length > 1) errs.push({ field: `${path6}.allowedUses`, value: uses, message: "LoadBalancer cannot be combined with other uses" });
    if (ipip !== "Never" || vxlan !== "Never") errs.push({ field: `${path6}.allowedUses`, value: uses, message: "LoadBalancer pools cannot use IPIP or VXLAN encapsulation" });
  }
});
var nodeSpec = obj({
  bgp: refine(obj({
    ipv4Address: str(cidrFamily(4)),
    ipv6Address: str(cidrFamily(6)),
    asNumber,
    ipv4IPIPTunnelAddr: str(ipv4Address),
    routeReflectorClusterID: str(ipv4Address)
  }), (b2, path6, errs) => {
    if (Object.keys(b2).length === 0) errs.push({ field: path6, value: b2, message: "spec.bgp should not be empty (omit it instead)" });
  }),
  ipv4VXLANTunnelAddr: str(ipv4Address),
  vxlanTunnelMACAddr: str(mac),
  ipv6VXLANTunnelAddr: str(ipv6Address),
  vxlanTunnelMACAddrV6: str(mac),
  wireguard: obj({ interfaceIPv4Address: str(ipv4Address), interfaceIPv6Address: str(ipv6Address) }),
  addresses: list(obj({ address: str(cidrOrIP), type: oneOf("CalicoNodeIP", "InternalIP", "ExternalIP") }, { required: ["address"] })),
  orchRefs: list(obj({ nodeName: str(), orchestrator: str() }, { required: ["orchestrator"] })),
  interfaces: list(obj({ name: str(), addresses: list(str(cidrOrIP)) }))
});
var cidrEntry = obj({ cidr: str(cidr) }, { required: ["cidr"] });
function communityError(s2) {
  const parts = s2.split(":");
  if (parts.length !== 2 && parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) return "invalid community value or format used (aa:nn or aa:nn:mm)";
  const max = parts.length === 2 ? 65535 : 4294967295;
  return parts.every((p) => Number(p) <= max) ? void 0 : `invalid community value, expected ${parts.length === 2 ? 16 : 32} bit values`;
}
var bgpConfigurationSpec = refine(obj({
  logSeverityScreen: logSeverity,
  nodeToNodeMeshEnabled: bool(),
  asNumber,
  serviceLoadBalancerIPs: list(cidrEntry),
  serviceExternalIPs: list(cidrEntry),
  serviceClusterIPs: list(cidrEntry),
  communities: list(obj({ name: str(), value: str((s2) => communityError(s2)) }, { required: ["name", "value"] })),
  prefixAdvertisements: list(obj({ cidr: str(cidr), communities: list(str()) }, { required: ["cidr"] })),
  listenPort: int(1, 65535),
  nodeMeshPassword: secretKeyRef,
  nodeMeshMaxRestartTime: str(duration),
  bindMode: oneOf("None", "NodeIP"),
  ignoredInterfaces: list(str()),
  localWorkloadPeeringIPV4: str(ipv4Address),
  localWorkloadPeeringIPV6: str(ipv6Address),
  programClusterRoutes: oneOf("Enabled", "Disabled", "EnabledNoEncapOnly"),
  ipv4NormalRoutePriority: int(1, 2147483646),
  ipv6NormalRoutePriority: int(1, 2147483646),
  ipv4ElevatedRoutePriority: int(1, 2147483646),
  ipv6ElevatedRoutePriority: int(1, 2147483646),
  nodeSelector: str(selector)
}), (v, path6, errs) => {
  const defined = new Set((v.communities ?? []).map((c) => c.name));
  if (defined.size && !v.prefixAdvertisements?.length) {
    errs.push({ field: `${path6}.communities`, value: v.communities, message: "communities are defined but not used in spec.prefixAdvertisements" });
  }
  (v.prefixAdvertisements ?? []).forEach((pa, i) => (pa.communities ?? []).forEach((c, j) => {
    if (!defined.has(c) && communityError(c)) {
      errs.push({ field: `${path6}.prefixAdvertisements[${i}].communities[${j}]`, value: c, message: "community used is invalid or not defined" });
    }
  }));
});
function peerAddressFamily(s2) {
  const bare = tryParseIP(s2) ?? tryParseIP(/^\[([^\]]+)\]/.exec(s2)?.[1] ?? s2.replace(/:\d+$/, ""));
  return bare?.family;
}
var peerIP = (s2) => {
  if (tryParseIP(s2)) return void 0;
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s2);
  if (v6) return tryParseIP(v6[1])?.family === 6 && (v6[2] === void 0 || Number(v6[2]) <= 65535) ? void 0 : "must be an IP address, ip:port or [ipv6]:port";
  const v4 = /^([^:]+):(\d{1,5})$/.exec(s2);
  if (v4 && tryParseIP(v4[1])?.family === 4 && Number(v4[2]) >= 1 && Number(v4[2]) <= 65535) return void 0;
  return "must be an IP address, ip:port or [ipv6]:port";
};
var bgpPeerSpec = refine(obj({
  node: str(dnsSubdomain),
  peerIP: str(peerIP),
  asNumber,
  nodeSelector: str(selector),
  peerSelector: str(selector),
  password: secretKeyRef,
  sourceAddress: oneOf("UseNodeIP", "None"),
  failureDetectionMode: oneOf("None", "BFDIfDirectlyConnected"),
  restartMode: oneOf("GracefulRestart", "LongLivedGracefulRestart"),
  maxRestartTime: str(duration),
  birdGatewayMode: oneOf("Recursive", "DirectIfDirectlyConnected"),
  numAllowedLocalASNumbers: int(1, 10),
  ttlSecurity: int(0, 255),
  keepaliveTime: str(duration),
  keepOriginalNextHop: bool(),
  nextHopMode: oneOf("Auto", "Self", "Keep"),
  localASNumber: asNumber,
  reachableBy: str(ipAddress),
  filters: list(str(dnsSubdomain)),
  localWorkloadSelector: str(selector),
  reversePeering: oneOf("Auto", "Manual")
}), (v, path6, errs) => {
  if (v.node && v.nodeSelector) errs.push({ field: `${path6}.nodeSelector`, value: v.nodeSelector, message: "node and nodeSelector cannot both be set" });
  if (v.peerIP && v.peerSelector) errs.push({ field: `${path6}.peerSelector`, value: v.peerSelector, message: "peerIP and peerSelector cannot both be set" });
  if (v.peerSelector && v.asNumber !== void 0) errs.push({ field: `${path6}.asNumber`, value: v.asNumber, message: "asNumber cannot be set with peerSelector (the AS comes from the selected nodes)" });
  if (!v.peerIP && !v.peerSelector) errs.push({ field: `${path6}.peerIP`, value: "", message: "one of peerIP or peerSelector is required" });
  if (v.peerIP && v.asNumber === void 0) errs.push({ field: `${path6}.asNumber`, value: "", message: "asNumber is required with peerIP" });
  if (v.keepOriginalNextHop && v.nextHopMode !== void 0) errs.push({ field: `${path6}.nextHopMode`, value: v.nextHopMode, message: "nextHopMode and keepOriginalNextHop cannot both be set" });
  if (v.reachableBy !== void 0) {
    if (!v.peerIP) errs.push({ field: `${path6}.reachableBy`, value: v.reachableBy, message: "reachableBy requires peerIP" });
    else if (peerAddressFamily(v.peerIP) !== tryParseIP(v.reachableBy)?.family) errs.push({ field: `${path6}.reachableBy`, value: v.reachableBy, message: "reachableBy and peerIP address family mismatched" });
  }
});
var protoPortList = list(obj({ protocol: oneOf("TCP", "UDP", "SCTP"), port: int(0, 65535), net: str(cidrOrIP) }, { required: ["port"] }));
var felixTyped = {
  logSeverityScreen: logSeverity,
  logSeverityFile: logSeverity,
  logSeveritySys: logSeverity,
  logFilePath: str(),
  logPrefix: str(),
  logDebugFilenameRegex: str(),
  ipipEnabled: bool(),
  ipipMTU: int(0, 65535),
  vxlanEnabled: bool(),
  vxlanMTU: int(0, 65535),
  vxlanMTUV6: int(0, 65535),
  vxlanPort: int(1, 65535),
  vxlanVNI: int(0, 16777215),
  wireguardEnabled: bool(),
  wireguardEnabledV6: bool(),
  wireguardMTU: int(0, 65535),
  wireguardMTUV6: int(0, 65535),
  wireguardListeningPort: int(1, 65535),
  wireguardListeningPortV6: int(1, 65535),
  wireguardRoutingRulePriority: int(1, 32765),
  wireguardInterfaceName: str(),
  wireguardInterfaceNameV6: str(),
  wireguardHostEncryptionEnabled: bool(),
  wireguardKeepAlive: str(duration),
  wireguardThreadingEnabled: bool(),
  bpfEnabled: bool(),
  bpfLogLevel: oneOf("Off", "Info", "Debug"),
  bpfDataIfacePattern: str(),
  bpfConnectTimeLoadBalancing: oneOf("TCP", "Enabled", "Disabled"),
  bpfExternalServiceMode: oneOf("Tunnel", "DSR"),
  bpfKubeProxyIptablesCleanupEnabled: bool(),
  defaultEndpointToHostAction: oneOf("Drop", "Accept", "Return"),
  iptablesFilterAllowAction: oneOf("Accept", "Return"),
  iptablesMangleAllowAction: oneOf("Accept", "Return"),
  iptablesFilterDenyAction: oneOf("Drop", "Reject"),
  iptablesBackend: oneOf("Legacy", "NFT", "Auto"),
  iptablesRefreshInterval: str(duration),
  iptablesPostWriteCheckInterval: str(duration),
  iptablesLockTimeout: str(duration),
  iptablesLockProbeInterval: str(duration),
  iptablesMarkMask: int(0, 4294967295),
  iptablesNATOutgoingInterfaceFilter: str(),
  iptablesLockFilePath: str(),
  ipsetsRefreshInterval: str(duration),
  nftablesMode: oneOf("Disabled", "Enabled", "Auto"),
  nftablesRefreshInterval: str(duration),
  nftablesFilterAllowAction: oneOf("Accept", "Return"),
  nftablesMangleAllowAction: oneOf("Accept", "Return"),
  nftablesFilterDenyAction: oneOf("Drop", "Reject"),
  nftablesMarkMask: int(0, 4294967295),
  routeRefreshInterval: str(duration),
  routeSyncDisabled: bool(),
  routeSource: oneOf("WorkloadIPs", "CalicoIPAM"),
  routeTableRange: obj({ min: int(1, 250), max: int(1, 250) }, { required: ["min", "max"] }),
  routeTableRanges: list(obj({ min: int(1, 4294967295), max: int(1, 4294967295) }, { required: ["min", "max"] })),
  deviceRouteSourceAddress: str(ipv4Address),
  deviceRouteSourceAddressIPv6: str(ipv6Address),
  deviceRouteProtocol: int(0, 255),
  removeExternalRoutes: bool(),
  programClusterRoutes: oneOf("Enabled", "Disabled"),
  interfacePrefix: str(),
  interfaceExclude: str(),
  interfaceRefreshInterval: str(duration),
  chainInsertMode: oneOf("Insert", "Append"),
  dataplaneWatchdogTimeout: str(duration),
  dataplaneDriver: str(),
  netlinkTimeout: str(duration),
  reportingInterval: str(duration),
  reportingTTL: str(duration),
  endpointReportingEnabled: bool(),
  endpointReportingDelay: str(duration),
  endpointStatusPathPrefix: str(),
  failsafeInboundHostPorts: protoPortList,
  failsafeOutboundHostPorts: protoPortList,
  natPortRange: port,
  natOutgoingAddress: str(ipv4Address),
  natOutgoingExclusions: oneOf("IPPoolsOnly", "IPPoolsAndHostIPs"),
  healthEnabled: bool(),
  healthHost: str(),
  healthPort: int(1, 65535),
  healthTimeoutOverrides: list(obj({ name: str(), timeout: str(duration) })),
  prometheusMetricsEnabled: bool(),
  prometheusMetricsHost: str(),
  prometheusMetricsPort: int(1, 65535),
  prometheusGoMetricsEnabled: bool(),
  prometheusProcessMetricsEnabled: bool(),
  prometheusWireGuardMetricsEnabled: bool(),
  ipv6Support: bool(),
  mtuIfacePattern: str(),
  featureDetectOverride: str(),
  featureGates: str(),
  floatingIPs: oneOf("Enabled", "Disabled"),
  externalNodesCIDRList: list(str(cidrOrIP)),
  allowVXLANPacketsFromWorkloads: bool(),
  allowIPIPPacketsFromWorkloads: bool(),
  useInternalDataplaneDriver: bool(),
  xdpEnabled: bool(),
  xdpRefreshInterval: str(duration),
  sidecarAccelerationEnabled: bool(),
  serviceLoopPrevention: oneOf("Drop", "Reject", "Disabled"),
  workloadSourceSpoofing: oneOf("Disabled", "Any"),
  kubeNodePortRanges: list(port),
  policySyncPathPrefix: str(),
  maxIpsetSize: int(0, 2147483647),
  genericXDPEnabled: bool(),
  openstackRegion: str(),
  metadataAddr: str(),
  metadataPort: int(0, 65535),
  usageReportingEnabled: bool(),
  usageReportingInitialDelay: str(duration),
  usageReportingInterval: str(duration),
  flowLogsFlushInterval: str(duration),
  flowLogsCollectorDebugTrace: bool(),
  flowLogsGoldmaneServer: str(),
  flowLogsLocalReporter: oneOf("Enabled", "Disabled"),
  flowLogsPolicyEvaluationMode: oneOf("None", "Continuous"),
  ipForwarding: oneOf("Enabled", "Disabled"),
  bpfHostNetworkedNATWithoutCTLB: oneOf("Enabled", "Disabled"),
  ipsetsRefreshIntervalV6: str(duration),
  vxlanMTUv6: int(0, 65535),
  debugMemoryProfilePath: str(),
  debugDisableLogDropping: bool(),
  debugSimulateCalcGraphHangAfter: str(duration),
  debugSimulateDataplaneHangAfter: str(duration),
  debugHost: str(),
  debugPort: int(0, 65535),
  awsSrcDstCheck: oneOf("DoNothing", "Enable", "Disable"),
  awsSecondaryIPSupport: oneOf("Enabled", "EnabledENIPerWorkload", "Disabled"),
  awsSecondaryIPRoutingRulePriority: int(0, 4294967295),
  awsRequestTimeout: str(duration),
  bpfCTLBLogFilter: str(),
  bpfDisableUnprivileged: bool(),
  bpfDSROptoutCIDRs: list(str(cidrOrIP)),
  bpfEnforceRPF: oneOf("Disabled", "Strict", "Loose"),
  bpfExtToServiceConnmark: int(0, 4294967295),
  bpfForceTrackPacketsFromIfaces: list(str()),
  bpfHostConntrackBypass: bool(),
  bpfL3IfacePattern: str(),
  bpfLogFilters: mapOf(str()),
  bpfMapSizeConntrack: int(0, 2147483647),
  bpfMapSizeIPSets: int(0, 2147483647),
  bpfMapSizeIfState: int(0, 2147483647),
  bpfMapSizeNATAffinity: int(0, 2147483647),
  bpfMapSizeNATBackend: int(0, 2147483647),
  bpfMapSizeNATFrontend: int(0, 2147483647),
  bpfMapSizeRoute: int(0, 2147483647),
  bpfPSNATPorts: port,
  bpfPolicyDebugEnabled: bool(),
  bpfRedirectToPeer: oneOf("Disabled", "Enabled", "L2Only"),
  bpfAttachType: oneOf("TC", "TCX"),
  bpfConntrackCleanupMode: oneOf("Auto", "Userspace", "BPFProgram"),
  bpfConntrackLogLevel: oneOf("Off", "Debug"),
  bpfConntrackTimeouts: anything(),
  bpfExcludeCIDRsFromNAT: list(str(cidrOrIP)),
  bpfExportBufferSizeMB: int(0, 2147483647),
  bpfKubeProxyEndpointSlicesEnabled: bool(),
  bpfKubeProxyMinSyncPeriod: str(duration),
  bpfMapSizePerCPUConntrack: int(0, 2147483647),
  bpfProfiling: oneOf("Enabled", "Disabled"),
  bpfMaglevMaxEndpointsPerService: int(0, 2147483647),
  bpfMaglevMaxServices: int(0, 2147483647),
  bpfJITHardening: oneOf("Auto", "Strict"),
  bpfIpv6SourceAddress: str(ipv6Address),
  bpfRedirectToPeerV6: str(),
  goGCThreshold: int(-1, 2147483647),
  goMemoryLimitMB: int(-1, 2147483647),
  goMaxProcs: int(-1, 2147483647),
  cgroupV2Path: str(),
  ipForwardingV6: str(),
  requireMTUFile: bool(),
  logActionRateLimit: str(),
  logActionRateLimitBurst: int(0, 2147483647),
  logDropActionOverride: str(),
  egressIPSupport: str(),
  nfNetlinkBufSize: str(),
  statusReportingInterval: str(duration),
  windowsManageFirewallRules: oneOf("Enabled", "Disabled"),
  liveMigrationRouteConvergenceTime: str(duration),
  iptablesNATOutgoingInterfaceFilterV6: str(),
  tproxyMode: oneOf("Disabled", "Enabled", "EnabledDefaultDeny"),
  tproxyPort: int(0, 65535),
  tproxyUpstreamConnMark: int(0, 4294967295),
  ipsecMode: str(),
  dnsCacheFile: str(),
  bpfKubeProxyHealthzPort: int(0, 65535),
  bpfConnectTimeLoadBalancingEnabled: bool(),
  bpfDisableGROForIfaces: str(),
  bpfMapSizePerCpuConntrack: int(0, 2147483647),
  bpfCTLBLogFilterV6: str(),
  bpfMaglevLUTSize: int(0, 2147483647),
  nftablesMarkMaskV6: int(0, 4294967295),
  ipipMTUV6: int(0, 65535),
  routeTableRangeV6: anything()
};
var felixConfigurationSpec = obj(felixTyped);
var hostEndpointSpec = refine(obj({
  node: str(dnsSubdomain),
  interfaceName: str((s2) => INTERFACE_PATTERN.test(s2) ? void 0 : 'must be an interface name (up to 15 characters) or "*"'),
  expectedIPs: list(str(ipAddress)),
  profiles: list(str(dnsSubdomain)),
  ports: list(endpointPort)
}, { required: ["node"] }), (v, path6, errs) => {
  if (!v.interfaceName && !v.expectedIPs?.length) errs.push({ field: `${path6}.interfaceName`, value: "", message: "either interfaceName or expectedIPs must be set" });
});
var workloadEndpointSpec = refine(obj({
  orchestrator: str(),
  workload: str(),
  node: str(dnsSubdomain),
  containerID: str(),
  pod: str(),
  endpoint: str(),
  serviceAccountName: str(),
  ipNetworks: list(str(cidrOrIP)),
  ipNATs: list(obj({ internalIP: str(ipAddress), externalIP: str(ipAddress) }, { required: ["internalIP", "externalIP"] })),
  ipv4Gateway: str(ipv4Address),
  ipv6Gateway: str(ipv6Address),
  profiles: list(str(dnsSubdomain)),
  interfaceName: str((s2) => INTERFACE_NAME.test(s2) ? void 0 : "must be a Linux interface name of 1-15 characters"),
  mac: str(mac),
  ports: list(endpointPort),
  allowSpoofedSourcePrefixes: list(str(cidrOrIP)),
  qosControls: anything(),
  awsElasticIPs: list(str(ipv4Address)),
  qosPolicyName: str()
}, { required: ["node", "interfaceName"] }), (w, path6, errs) => {
  const nets = (w.ipNetworks ?? []).map((n) => tryParseCIDROrIP(n));
  nets.forEach((c, i) => {
    if (c && c.prefix !== (c.family === 4 ? 32 : 128)) errs.push({ field: `${path6}.ipNetworks[${i}]`, value: w.ipNetworks[i], message: "IP network contains multiple addresses (use /32 or /128)" });
  });
  (w.ipNATs ?? []).forEach((n, i) => {
    const internal = tryParseIP(n.internalIP);
    const external = tryParseIP(n.externalIP);
    if (internal && external && internal.family !== external.family) errs.push({ field: `${path6}.ipNATs[${i}].externalIP`, value: n.externalIP, message: "mismatched IP versions" });
    if (internal && !nets.some((c) => c && cidrContainsIP(c, internal))) errs.push({ field: `${path6}.ipNATs[${i}].internalIP`, value: n.internalIP, message: "NAT is not in the endpoint networks" });
  });
});
var profileSpec = obj({ ingress: list(rule, 1024), egress: list(rule, 1024), labelsToApply: mapOf(str(labelValue), labelKey) });
var networkSetSpec = obj({ nets: list(str(cidrOrIP)), allowedEgressDomains: list(str()) });
var noNamespaceLabel = (r, errs) => {
  if (r.metadata.labels && "projectcalico.org/namespace" in r.metadata.labels) {
    errs.push({ field: 'metadata.labels["projectcalico.org/namespace"]', value: "projectcalico.org/namespace", message: "projectcalico.org/namespace is not a valid label name" });
  }
};
var clusterInformationSpec = obj({ clusterGUID: str(), clusterType: str(), calicoVersion: str(), datastoreReady: bool(), variant: str(), cnxVersion: str() });
var ipamConfigurationSpec = refine(obj({
  strictAffinity: bool(),
  autoAllocateBlocks: bool(),
  maxBlocksPerHost: int(0, 2147483647),
  kubeVirtVMAddressPersistence: oneOf("Enabled", "Disabled"),
  ipCooldownSeconds: int(0, 1200)
}), () => {
});
var tierSpec = obj({ order: num(), defaultAction: oneOf("Deny", "Pass") });
var ipamBlockSpec = obj({}, { open: true });
var singletonDefault = (kind) => (s2) => s2 === "default" ? void 0 : `the only valid ${kind} name is "default"`;
var defaultOrNodeName = dnsSubdomain;
var RULES = {
  IPPool: { spec: ippoolSpec, name: dnsSubdomain, specRequired: true, status: true },
  Node: { spec: nodeSpec, name: dnsSubdomain, status: true },
  BGPConfiguration: {
    spec: bgpConfigurationSpec,
    name: defaultOrNodeName,
    check: (r, errs) => {
      if (r.metadata.name === "default") return;
      const s2 = r.spec ?? {};
      for (const f of ["nodeToNodeMeshEnabled", "asNumber", "serviceClusterIPs", "serviceExternalIPs", "serviceLoadBalancerIPs"]) {
        if (s2[f] !== void 0) errs.push({ field: `spec.${f}`, value: s2[f], message: 'is only valid on the global BGPConfiguration "default"' });
      }
    }
  },
  BGPPeer: { spec: bgpPeerSpec, name: dnsSubdomain, specRequired: true },
  FelixConfiguration: { spec: felixConfigurationSpec, name: defaultOrNodeName },
  ClusterInformation: { spec: clusterInformationSpec, name: singletonDefault("ClusterInformation") },
  WorkloadEndpoint: { spec: workloadEndpointSpec, name: dnsSubdomain, specRequired: true },
  HostEndpoint: { spec: hostEndpointSpec, name: dnsSubdomain, specRequired: true },
  Profile: { spec: profileSpec, name: dnsSubdomain },
  NetworkPolicy: { spec: networkPolicySpec, name: networkPolicyName },
  GlobalNetworkPolicy: { spec: globalPolicySpec, name: globalNetworkPolicyName },
  NetworkSet: { spec: networkSetSpec, name: dnsSubdomain, check: noNamespaceLabel },
  GlobalNetworkSet: { spec: networkSetSpec, name: dnsSubdomain, check: noNamespaceLabel },
  Tier: { spec: tierSpec, name: dnsLabel },
  IPAMConfiguration: { spec: ipamConfigurationSpec, name: singletonDefault("IPAMConfiguration") },
  IPAMBlock: { spec: ipamBlockSpec, name: dnsSubdomain },
  BlockAffinity: { spec: ipamBlockSpec, name: (s2) => s2.length <= 253 ? void 0 : "must be no more than 253 characters" },
  IPAMHandle: { spec: ipamBlockSpec, name: (s2) => s2.length > 0 && s2.length <= 253 ? void 0 : "must be 1-253 characters" }
};
var metadataSchema = obj({
  name: str(),
  namespace: str(dnsLabel),
  resourceVersion: str(),
  uid: str(),
  creationTimestamp: str(),
  generation: int(0),
  labels: mapOf(str(labelValue), labelKey),
  annotations: mapOf(str()),
  generateName: str(),
  finalizers: list(str()),
  ownerReferences: anything(),
  managedFields: anything(),
  deletionTimestamp: str(),
  deletionGracePeriodSeconds: int(0)
});
function describeResource(r) {
  if (!isPlainObject(r)) return "resource";
  const kind = typeof r.kind === "string" && r.kind ? r.kind : "resource";
  const md = isPlainObject(r.metadata) ? r.metadata : {};
  const name = typeof md.name === "string" ? md.name : "";
  const ns = typeof md.namespace === "string" ? md.namespace : void 0;
  return resourceId(kind, name, ns);
}
function validateResource(r) {
  const errs = [];
  if (!isPlainObject(r)) return [{ field: "(document)", value: r, message: "a resource must be a YAML/JSON object" }];
  if (r.apiVersion !== API_VERSION) errs.push({ field: "apiVersion", value: r.apiVersion ?? "", message: `must be ${API_VERSION}` });
  const kind = typeof r.kind === "string" ? r.kind : "";
  const info = kindInfo(kind);
  const rules = RULES[kind];
  if (!info || !rules) {
    errs.push({ field: "kind", value: r.kind ?? "", message: "unknown resource kind" });
    return errs;
  }
  for (const k of Object.keys(r)) {
    if (!["apiVersion", "kind", "metadata", "spec", "status"].includes(k)) errs.push({ field: k, value: r[k], message: `unknown field "${k}"` });
  }
  if (r.status !== void 0 && !rules.status) errs.push({ field: "status", value: r.status, message: `${kind} has no status` });
  if (!isPlainObject(r.metadata)) {
    errs.push({ field: "metadata", value: r.metadata ?? "", message: "is required" });
  } else {
    const md = r.metadata;
    metadataSchema(md, "metadata", errs);
    if (typeof md.name !== "string" || md.name === "") {
      errs.push({ field: "metadata.name", value: md.name ?? "", message: "is required" });
    } else {
      const m = rules.name(md.name);
      if (m) errs.push({ field: "metadata.name", value: md.name, message: m });
    }
    if (info.namespaced && (typeof md.namespace !== "string" || md.namespace === "")) {
      errs.push({ field: "metadata.namespace", value: md.namespace ?? "", message: `is required for namespaced kind ${kind}` });
    }
    if (!info.namespaced && md.namespace !== void 0 && md.namespace !== "") {
      errs.push({ field: "metadata.namespace", value: md.namespace, message: `must not be set: ${kind} is not namespaced` });
    }
  }
  if (r.spec === void 0 || r.spec === null) {
    if (rules.specRequired) errs.push({ field: "spec", value: "", message: "is required" });
  } else {
    rules.spec(r.spec, "spec", errs);
  }
  if (errs.length === 0 && rules.check) rules.check(r, errs);
  return errs;
}

// src/api/client.ts
var UnsupportedKindError = class extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
    this.name = "UnsupportedKindError";
  }
  kind;
};
function mergePatch(target, patch) {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}
function notFound(kind, name, namespace, cause) {
  const id = resourceId(kind, name, namespace);
  return new DatastoreError("NotFound", `resource does not exist: ${id} with error: ${cause ?? `${kind} "${name}" not found`}`);
}
var ResourceClient = class {
  constructor(datastore, opts = {}) {
    this.datastore = datastore;
    this.defaultNamespace = opts.defaultNamespace ?? DEFAULT_NAMESPACE;
    this.allowIpamKinds = opts.allowIpamKinds ?? false;
    this.conflictRetries = opts.conflictRetries ?? 5;
  }
  datastore;
  defaultNamespace;
  allowIpamKinds;
  conflictRetries;
  /** The kind info for a writable kind, or UnsupportedKindError. */
  writableKind(kind) {
    const info = typeof kind === "string" ? kindInfo(kind) : void 0;
    if (!info) throw new UnsupportedKindError(String(kind ?? ""), `resource type '${String(kind ?? "")}' is not supported`);
    if (info.ipam && !this.allowIpamKinds) {
      throw new UnsupportedKindError(info.kind, `resource type '${info.kind}' cannot be written: IPAM objects change only through IPAM operations (tabby ipam)`);
    }
    return info;
  }
  /** Default and validate without looking at the store. Throws ValidationError / UnsupportedKindError. */
  normalize(input) {
    if (!isPlainObject(input)) throw new ValidationError("resource", [{ field: "(document)", value: input, message: "a resource must be a YAML/JSON object" }]);
    const info = this.writableKind(input.kind);
    const obj2 = applyDefaults(input, { namespaced: info.namespaced, defaultNamespace: this.defaultNamespace });
    const errs = validateResource(obj2);
    if (errs.length) throw new ValidationError(describeResource(obj2), errs);
    if (!info.namespaced) delete obj2.metadata.namespace;
    return obj2;
  }
  /**
   * Everything a write would check, without writing. `pending` are other objects about to be written in the
   * same batch (a multi-document file), so conflicts among them are caught before anything is stored.
   */
  async prepare(input, mode, pending = []) {
    const obj2 = this.normalize(input);
    const md = obj2.metadata;
    const existing = await this.datastore.get(obj2.kind, md.name, md.namespace);
    const id = resourceId(obj2.kind, md.name, md.namespace);
    if (mode === "create") {
      if (md.resourceVersion) throw new ValidationError(id, [{ field: "metadata.resourceVersion", value: md.resourceVersion, message: "field must not be set for a create request" }]);
      if (existing) throw new DatastoreError("AlreadyExists", `resource already exists: ${id}`);
    }
    if (mode === "replace" && !existing) throw notFound(obj2.kind, md.name, md.namespace);
    if (mode !== "create" && existing && md.resourceVersion && md.resourceVersion !== existing.metadata.resourceVersion) {
      throw new DatastoreError("Conflict", `update conflict: ${id}: resource version '${md.resourceVersion}' is out of date (latest: ${existing.metadata.resourceVersion}). Update the resource YAML/JSON in order to make changes.`);
    }
    const errs = await this.crossChecks(obj2, existing, pending);
    if (errs.length) throw new ValidationError(id, errs);
    return { mode, obj: obj2, existing: mode === "create" ? void 0 : existing };
  }
  /** Write a prepared object. apply/replace without a resourceVersion use the stored one (last writer wins). */
  async commit(p) {
    const obj2 = structuredClone(p.obj);
    if (p.mode === "create" || !p.existing) {
      delete obj2.metadata.resourceVersion;
      delete obj2.metadata.uid;
      delete obj2.metadata.creationTimestamp;
      return this.datastore.create(obj2);
    }
    obj2.metadata.resourceVersion ||= p.existing.metadata.resourceVersion;
    return this.datastore.update(obj2);
  }
  async create(input) {
    return this.commit(await this.prepare(input, "create"));
  }
  async replace(input) {
    return this.commit(await this.prepare(input, "replace"));
  }
  /** Create or update. Without a user-supplied resourceVersion, a lost race is retried on fresh state. */
  async apply(input) {
    const pinned = isPlainObject(input) && isPlainObject(input.metadata) && !!input.metadata.resourceVersion;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.commit(await this.prepare(input, "apply"));
      } catch (e) {
        const raced = isDatastoreError(e, "Conflict") || isDatastoreError(e, "AlreadyExists") || isDatastoreError(e, "NotFound");
        if (pinned || !raced || attempt >= this.conflictRetries) throw e;
      }
    }
  }
  async get(kind, name, namespace) {
    const info = this.kind(kind);
    const ns = info.namespaced ? namespace ?? this.defaultNamespace : void 0;
    const r = await this.datastore.get(info.kind, name, ns);
    if (!r) throw notFound(info.kind, name, ns);
    return r;
  }
  /** List a kind; namespace undefined = all namespaces (namespaced kinds). */
  async list(kind, namespace) {
    const info = this.kind(kind);
    return (await this.datastore.list(info.kind, info.namespaced && namespace !== void 0 ? { namespace } : {})).items;
  }
  async delete(kind, name, namespace, resourceVersion) {
    const info = this.writableKind(kind);
    const ns = info.namespaced ? namespace || this.defaultNamespace : void 0;
    if (info.kind === "Tier") await this.checkTierUnused(name);
    try {
      return await this.datastore.delete(info.kind, name, ns, resourceVersion || void 0);
    } catch (e) {
      if (isDatastoreError(e, "NotFound")) throw notFound(info.kind, name, ns, e.message);
      throw e;
    }
  }
  /** Read-modify-write with CAS, retried when another writer got in between. */
  async modify(kind, name, namespace, change) {
    const info = this.writableKind(kind);
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(info.kind, name, namespace);
      const next = change(structuredClone(current));
      if (!isPlainObject(next)) throw new ValidationError(resourceId(info.kind, name, current.metadata.namespace), [{ field: "(document)", value: next, message: "the result must be an object" }]);
      const md = isPlainObject(next.metadata) ? next.metadata : next.metadata = {};
      for (const f of ["name", "namespace"]) {
        if (md[f] !== void 0 && md[f] !== current.metadata[f]) {
          throw new ValidationError(resourceId(info.kind, name, current.metadata.namespace), [{ field: `metadata.${f}`, value: md[f], message: "cannot be changed" }]);
        }
      }
      md.resourceVersion ??= current.metadata.resourceVersion;
      const pinned = md.resourceVersion !== current.metadata.resourceVersion;
      try {
        return await this.commit(await this.prepare(next, "replace"));
      } catch (e) {
        if (pinned || !isDatastoreError(e, "Conflict") || attempt >= this.conflictRetries) throw e;
      }
    }
  }
  /** JSON merge patch (RFC 7386) of an existing resource. */
  async patch(kind, name, namespace, patch) {
    if (!isPlainObject(patch)) throw new ValidationError(resourceId(kind, name, namespace), [{ field: "(patch)", value: patch, message: "a merge patch must be a JSON object" }]);
    return this.modify(kind, name, namespace, (cur) => {
      const next = mergePatch(cur, patch);
      next.apiVersion ??= API_VERSION;
      return next;
    });
  }
  kind(kind) {
    const info = kindInfo(kind);
    if (!info) throw new UnsupportedKindError(kind, `resource type '${kind}' is not supported`);
    return info;
  }
  async checkTierUnused(name) {
    if (name === DEFAULT_TIER) throw new ValidationError(resourceId("Tier", name), [{ field: "metadata.name", value: name, message: "the default tier cannot be deleted" }]);
    for (const kind of ["NetworkPolicy", "GlobalNetworkPolicy"]) {
      const used = (await this.datastore.list(kind)).items.find((p) => (p.spec?.tier ?? DEFAULT_TIER) === name);
      if (used) {
        throw new ValidationError(resourceId("Tier", name), [{ field: "metadata.name", value: name, message: `tier is still used by ${describeResource(used)}; delete its policies first` }]);
      }
    }
  }
  /** Rules that need other resources: the ones libcalico-go's clients enforce at write time. */
  async crossChecks(obj2, existing, pending) {
    const errs = [];
    const spec = obj2.spec ?? {};
    switch (obj2.kind) {
      case "IPPool": {
        if (existing) {
          for (const f of ["cidr", "blockSize"]) {
            if (existing.spec?.[f] !== void 0 && existing.spec[f] !== spec[f]) {
              errs.push({ field: `spec.${f}`, value: spec[f], message: `IPPool ${f} cannot be modified (currently ${existing.spec[f]})` });
            }
          }
        }
        const mine = tryParseCIDR(spec.cidr);
        if (!mine) break;
        const others = [...(await this.datastore.list("IPPool")).items, ...pending.filter((p) => p.kind === "IPPool")];
        for (const o of others) {
          if (o.metadata.name === obj2.metadata.name) continue;
          const c = tryParseCIDR(o.spec?.cidr);
          if (c && cidrsOverlap(mine, c)) {
            errs.push({ field: "spec.cidr", value: spec.cidr, message: `IPPool(${obj2.metadata.name}) CIDR overlaps with IPPool(${o.metadata.name}) CIDR ${o.spec.cidr}` });
            break;
          }
        }
        break;
      }
      case "NetworkPolicy":
      case "GlobalNetworkPolicy": {
        const tier = spec.tier ?? DEFAULT_TIER;
        if (tier !== DEFAULT_TIER && !pending.some((p) => p.kind === "Tier" && p.metadata.name === tier) && !await this.datastore.get("Tier", tier)) {
          errs.push({ field: "spec.tier", value: tier, message: `tier "${tier}" does not exist; create the Tier first` });
        }
        break;
      }
      default:
        break;
    }
    return errs;
  }
};

// src/ctl/resources.ts
init_types();
init_selector();

// src/ctl/errors.ts
init_types();
var EXIT_OK = 0;
var EXIT_FAILED = 1;
var EXIT_USAGE = 2;
var EXIT_UNAVAILABLE = 3;
var CliError = class extends Error {
  constructor(message, exitCode = EXIT_FAILED) {
    super(message);
    this.exitCode = exitCode;
    this.name = "CliError";
  }
  exitCode;
};
function exitCodeFor(err2) {
  if (err2 instanceof CommanderError) {
    if (err2.code === "commander.helpDisplayed" || err2.code === "commander.version" || err2.code === "commander.help") return EXIT_OK;
    return EXIT_USAGE;
  }
  if (err2 instanceof CliError) return err2.exitCode;
  if (isDatastoreError(err2, "Unavailable")) return EXIT_UNAVAILABLE;
  return EXIT_FAILED;
}
function formatError(err2) {
  if (err2 instanceof CommanderError) return "";
  if (err2 instanceof Error) return err2.message;
  return String(err2);
}

// src/ctl/context.ts
init_datastore();
init_types();
var overrides = {};
function out(s2) {
  (overrides.stdout ?? ((x) => process.stdout.write(x)))(s2);
}
function err(s2) {
  (overrides.stderr ?? ((x) => process.stderr.write(x)))(s2);
}
async function readStdin() {
  if (overrides.stdin) return overrides.stdin();
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}
function globalOpts(cmd) {
  let root2 = cmd;
  while (root2.parent) root2 = root2.parent;
  return root2.opts();
}
async function openCommandDatastore(cmd) {
  if (overrides.datastore) return { datastore: overrides.datastore, owned: false };
  let ds;
  try {
    const cfg = resolveDatastoreConfig({ configFile: globalOpts(cmd).config });
    ds = await openDatastore(cfg);
  } catch (e) {
    if (isDatastoreError(e, "Invalid")) throw new CliError(e.message, EXIT_USAGE);
    if (isDatastoreError(e, "Unavailable")) throw new CliError(`datastore unavailable: ${e.message}`, EXIT_UNAVAILABLE);
    throw e;
  }
  return { datastore: ds, owned: true };
}
async function withDatastore(cmd, fn, opts = {}) {
  const { datastore, owned } = await openCommandDatastore(cmd);
  try {
    return await fn({ datastore, client: new ResourceClient(datastore, { defaultNamespace: opts.namespace }) });
  } finally {
    if (owned) await datastore.close().catch(() => {
    });
  }
}

// src/ctl/output.ts
var import_yaml2 = __toESM(require_dist(), 1);
init_resource();
var OUTPUT_FORMATS = ["ps", "wide", "yaml", "json"];
function tabwrite(rows, minWidth = 5, padding = 3) {
  const widths = [];
  for (const row2 of rows) {
    row2.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? minWidth, [...cell].length + padding);
    });
  }
  return rows.map((row2) => row2.map((cell, i) => cell + " ".repeat(widths[i] - [...cell].length)).join("") + "\n").join("");
}
var s = (v) => v === void 0 || v === null ? "" : String(v);
var b = (v) => v === true ? "true" : "false";
var joinList = (v) => Array.isArray(v) ? v.map(String).join(",") : "";
var labels = (v) => v && typeof v === "object" ? Object.entries(v).sort(([a], [c]) => a.localeCompare(c)).map(([k, x]) => `${k}=${x}`).join(",") : "";
var NAME = { header: "NAME", cell: (r) => r.metadata.name };
var col = (header, cell) => ({ header, cell });
function bgpPeerNode(r) {
  const sp = r.spec ?? {};
  if (sp.node) return String(sp.node);
  if (sp.nodeSelector) return String(sp.nodeSelector);
  return "(global)";
}
function nodeAsn(r, ctx) {
  const own = r.spec?.bgp?.asNumber;
  if (own !== void 0) return String(own);
  if (!r.spec?.bgp) return "";
  return `(${ctx.globalAsNumber ?? DEFAULT_AS_NUMBER})`;
}
function stripPrefix(addr) {
  return typeof addr === "string" ? addr : "";
}
var wepNats = (r) => Array.isArray(r.spec?.ipNATs) ? r.spec.ipNATs.map((n) => `${n.internalIP}<->${n.externalIP}`).join(",") : "";
var policyColumns = (wide) => wide ? [NAME, col("TIER", (r) => s(r.spec?.tier ?? DEFAULT_TIER)), col("ORDER", (r) => s(r.spec?.order)), col("SELECTOR", (r) => s(r.spec?.selector))] : [NAME, col("TIER", (r) => s(r.spec?.tier ?? DEFAULT_TIER))];
function columnsFor(kind, wide) {
  switch (kind) {
    case "IPPool":
      return wide ? [
        NAME,
        col("CIDR", (r) => s(r.spec?.cidr)),
        col("NAT", (r) => b(r.spec?.natOutgoing)),
        col("IPIPMODE", (r) => s(r.spec?.ipipMode ?? "Never")),
        col("VXLANMODE", (r) => s(r.spec?.vxlanMode ?? "Never")),
        col("DISABLED", (r) => b(r.spec?.disabled)),
        col("DISABLEBGPEXPORT", (r) => b(r.spec?.disableBGPExport)),
        col("SELECTOR", (r) => s(r.spec?.nodeSelector))
      ] : [NAME, col("CIDR", (r) => s(r.spec?.cidr)), col("SELECTOR", (r) => s(r.spec?.nodeSelector))];
    case "Node":
      return wide ? [NAME, col("ASN", nodeAsn), col("IPV4", (r) => stripPrefix(r.spec?.bgp?.ipv4Address)), col("IPV6", (r) => stripPrefix(r.spec?.bgp?.ipv6Address))] : [NAME];
    case "BGPPeer":
      return [NAME, col("PEERIP", (r) => s(r.spec?.peerIP ?? r.spec?.peerSelector)), col("NODE", bgpPeerNode), col("ASN", (r) => s(r.spec?.asNumber))];
    case "BGPConfiguration":
      return [
        NAME,
        col("LOGSEVERITY", (r) => s(r.spec?.logSeverityScreen)),
        col("MESHENABLED", (r) => r.spec?.nodeToNodeMeshEnabled === void 0 ? "" : b(r.spec.nodeToNodeMeshEnabled)),
        col("ASNUMBER", (r) => s(r.spec?.asNumber))
      ];
    case "HostEndpoint":
      return wide ? [
        NAME,
        col("NODE", (r) => s(r.spec?.node)),
        col("INTERFACE", (r) => s(r.spec?.interfaceName)),
        col("IPS", (r) => joinList(r.spec?.expectedIPs)),
        col("PROFILES", (r) => joinList(r.spec?.profiles))
      ] : [NAME, col("NODE", (r) => s(r.spec?.node))];
    case "WorkloadEndpoint": {
      const workload = col("WORKLOAD", (r) => s(r.spec?.workload || r.spec?.pod));
      const rest = [col("NODE", (r) => s(r.spec?.node)), col("NETWORKS", (r) => joinList(r.spec?.ipNetworks)), col("INTERFACE", (r) => s(r.spec?.interfaceName))];
      return wide ? [NAME, workload, ...rest, col("PROFILES", (r) => joinList(r.spec?.profiles)), col("NATS", wepNats)] : [workload, ...rest];
    }
    case "NetworkPolicy":
    case "GlobalNetworkPolicy":
      return policyColumns(wide);
    case "Profile":
      return wide ? [NAME, col("LABELS", (r) => labels(r.spec?.labelsToApply))] : [NAME];
    case "NetworkSet":
    case "GlobalNetworkSet":
      return wide ? [NAME, col("NETS", (r) => joinList(r.spec?.nets))] : [NAME];
    case "IPAMConfiguration": {
      const base = [NAME, col("STRICTAFFINITY", (r) => b(r.spec?.strictAffinity)), col("AUTOALLOCATEBLOCKS", (r) => b(r.spec?.autoAllocateBlocks ?? true))];
      return wide ? [...base, col("MAXBLOCKSPERHOST", (r) => s(r.spec?.maxBlocksPerHost ?? 0))] : base;
    }
    case "Tier":
      return [NAME, col("ORDER", (r) => s(r.spec?.order))];
    case "ClusterInformation":
      return [
        NAME,
        col("CLUSTERGUID", (r) => s(r.spec?.clusterGUID)),
        col("CLUSTERTYPE", (r) => s(r.spec?.clusterType)),
        col("CALICOVERSION", (r) => s(r.spec?.calicoVersion)),
        col("DATASTOREREADY", (r) => s(r.spec?.datastoreReady))
      ];
    case "IPAMBlock":
      return [NAME, col("CIDR", (r) => s(r.spec?.cidr)), col("AFFINITY", (r) => s(r.spec?.affinity))];
    case "BlockAffinity":
      return [NAME, col("NODE", (r) => s(r.spec?.node)), col("CIDR", (r) => s(r.spec?.cidr)), col("STATE", (r) => s(r.spec?.state))];
    default:
      return [NAME];
  }
}
function renderTable(kind, items, opts) {
  const cols = columnsFor(kind, opts.wide);
  const all = opts.withNamespace ? [col("NAMESPACE", (r) => s(r.metadata.namespace)), ...cols] : cols;
  const rows = [all.map((c) => c.header), ...items.map((r) => all.map((c) => c.cell(r, opts.ctx ?? {})))];
  return tabwrite(rows) + "\n";
}
function goOrder(r) {
  const out3 = { kind: r.kind, apiVersion: r.apiVersion };
  for (const k of ["metadata", "spec", "status"]) if (r[k] !== void 0) out3[k] = r[k];
  return out3;
}
function listOf(kind, items, resourceVersion) {
  return { kind: `${kind}List`, apiVersion: API_VERSION, metadata: resourceVersion ? { resourceVersion } : {}, items };
}
function renderYaml(doc) {
  return (0, import_yaml2.stringify)(doc, { sortMapEntries: true, lineWidth: 0, indentSeq: false });
}
function renderJson(doc) {
  const ordered = (v) => {
    if (v && typeof v === "object" && !Array.isArray(v) && "kind" in v && "apiVersion" in v) {
      const o = v;
      if (Array.isArray(o.items)) return { kind: o.kind, apiVersion: o.apiVersion, metadata: o.metadata, items: o.items.map(ordered) };
      return goOrder(o);
    }
    return v;
  };
  return JSON.stringify(ordered(doc), null, 2) + "\n";
}

// src/ctl/version.ts
init_types();
import { readFileSync as readFileSync3 } from "node:fs";
import { dirname as dirname2, join as join2 } from "node:path";
import { fileURLToPath } from "node:url";
var root = join2(dirname2(fileURLToPath(import.meta.url)), "..", "..");
function clientVersion() {
  try {
    const pkg = JSON.parse(readFileSync3(join2(root, "package.json"), "utf8"));
    return `v${pkg.version ?? "0.0.0"}`;
  } catch {
    return "unknown";
  }
}
function gitCommit() {
  if (process.env.TABBY_GIT_COMMIT) return process.env.TABBY_GIT_COMMIT;
  try {
    const head = readFileSync3(join2(root, ".git", "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 8);
    const ref = head.slice(5);
    try {
      return readFileSync3(join2(root, ".git", ref), "utf8").trim().slice(0, 8);
    } catch {
      const packed = readFileSync3(join2(root, ".git", "packed-refs"), "utf8");
      const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
      return line ? line.slice(0, 8) : "unknown";
    }
  } catch {
    return "unknown";
  }
}
var row = (label, value) => `${(label + ":").padEnd(19)}${value}
`;
function registerVersionCommand(program2) {
  program2.command("version").description("Show client and cluster versions").action(async (_opts, cmd) => {
    out(row("Client Version", clientVersion()));
    out(row("Git commit", gitCommit()));
    try {
      await withDatastore(cmd, async ({ datastore }) => {
        const info = await datastore.get("ClusterInformation", "default");
        if (!info) throw new CliError('Unable to retrieve Cluster Version or Type: ClusterInformation "default" does not exist (no node has started yet)', EXIT_FAILED);
        out(row("Cluster Version", String(info.spec?.calicoVersion ?? "unknown")));
        out(row("Cluster Type", String(info.spec?.clusterType ?? "unknown")));
      });
    } catch (e) {
      if (e instanceof CliError) throw e;
      const code = isDatastoreError(e, "Unavailable") ? EXIT_UNAVAILABLE : EXIT_FAILED;
      throw new CliError(`Unable to retrieve Cluster Version or Type: ${e.message}`, code);
    }
  });
}

// src/ctl/resources.ts
var K8S_NETWORKING_API = "networking.k8s.io/v1";
function isYamlFile(name) {
  return /\.(ya?ml|json)$/i.test(name);
}
function parseDocuments(text, source) {
  const docs = [];
  (0, import_yaml3.parseAllDocuments)(text).forEach((d, i) => {
    const where = `${source} (document ${i + 1})`;
    if (d.errors.length) {
      const e = d.errors[0];
      throw new CliError(`Failed to execute command: error parsing ${where}: ${e.message.split("\n")[0].replace(/:$/, "")}`, EXIT_USAGE);
    }
    const obj2 = d.toJS({ maxAliasCount: 100 });
    if (obj2 === null || obj2 === void 0) return;
    if (isPlainObject(obj2) && typeof obj2.kind === "string" && (obj2.kind === "List" || obj2.kind.endsWith("List")) && Array.isArray(obj2.items)) {
      obj2.items.forEach((item, j) => docs.push({ source: `${where} item ${j + 1}`, obj: item }));
      return;
    }
    docs.push({ source: where, obj: obj2 });
  });
  return docs;
}
async function loadDocuments(path6) {
  if (path6 === "-") return parseDocuments(await readStdin(), "stdin");
  let st;
  try {
    st = await stat(path6);
  } catch {
    throw new CliError(`Failed to execute command: open ${path6}: no such file or directory`, EXIT_USAGE);
  }
  if (st.isDirectory()) {
    const names = (await readdir(path6)).filter(isYamlFile).sort();
    const docs = [];
    for (const n of names) docs.push(...parseDocuments(await readFile(join3(path6, n), "utf8"), join3(path6, n)));
    return docs;
  }
  return parseDocuments(await readFile(path6, "utf8"), path6);
}
async function convertDocument(d) {
  if (isPlainObject(d.obj) && d.obj.apiVersion === K8S_NETWORKING_API && d.obj.kind === "NetworkPolicy") {
    const { convertK8sNetworkPolicy: convertK8sNetworkPolicy2 } = await Promise.resolve().then(() => (init_k8s_conversion(), k8s_conversion_exports));
    try {
      return convertK8sNetworkPolicy2(d.obj);
    } catch (e) {
      const md = isPlainObject(d.obj.metadata) ? d.obj.metadata : {};
      throw new ValidationError(`KubernetesNetworkPolicy(${String(md.namespace ?? DEFAULT_NAMESPACE)}/${String(md.name ?? "")})`, [
        { field: "(document)", value: d.source, message: e.message }
      ]);
    }
  }
  return d.obj;
}
function kindOf(obj2) {
  return isPlainObject(obj2) && typeof obj2.kind === "string" ? obj2.kind : "";
}
function countPhrase(n, kinds) {
  const uniq = [...new Set(kinds)];
  return uniq.length === 1 ? `${n} '${uniq[0]}' resource(s)` : `${n} resource(s)`;
}
var PAST = { create: "created", apply: "applied", replace: "replaced", delete: "deleted" };
function describeFailure(e) {
  if (e instanceof ValidationError || e instanceof UnsupportedKindError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
function exitCodeOf(errors) {
  if (errors.some((e) => isDatastoreError(e, "Unavailable"))) return EXIT_UNAVAILABLE;
  if (errors.some((e) => e instanceof UnsupportedKindError || e instanceof CliError && e.exitCode === EXIT_USAGE)) return EXIT_USAGE;
  return EXIT_FAILED;
}
function kindArg(name) {
  const info = resolveKind(name);
  if (!info) throw new CliError(`Failed to execute command: resource type '${name}' is not supported`, EXIT_USAGE);
  return info;
}
var READ_ONLY_KINDS = { ClusterInformation: "resource is readonly (the node agent manages it)" };
function refuseReadOnly(kind, operation) {
  const why = READ_ONLY_KINDS[kind];
  if (why) throw new CliError(`operation ${operation} is not supported on ${kind}: ${why}`, EXIT_FAILED);
}
async function writeFromFile(cmd, mode, opts) {
  const docs = await loadDocuments(opts.filename);
  if (docs.length === 0) throw new CliError(`Failed to execute command: no resources specified in ${opts.filename}`, EXIT_USAGE);
  await withDatastore(cmd, async ({ client }) => {
    const prepared = [];
    const failures = [];
    let skipped = 0;
    for (const d of docs) {
      try {
        const converted = await convertDocument(d);
        refuseReadOnly(kindOf(converted), mode);
        checkNamespaceFlag(converted, opts.namespace);
        prepared.push(await client.prepare(converted, mode, prepared.map((p) => p.obj)));
      } catch (e) {
        if (mode === "create" && opts.skipExists && isDatastoreError(e, "AlreadyExists")) {
          skipped++;
          continue;
        }
        if (isDatastoreError(e, "Unavailable")) throw e;
        failures.push({ kind: kindOf(d.obj) || "unknown", error: e });
      }
    }
    if (failures.length) {
      for (const f of failures) err(`Failed to ${mode} '${f.kind}' resource: [${describeFailure(f.error)}]
`);
      const what = failures.length === docs.length ? "all" : `${failures.length} of ${docs.length}`;
      throw new CliError(`Nothing was ${PAST[mode]}: ${what} document(s) failed validation.`, exitCodeOf(failures.map((f) => f.error)));
    }
    let done = 0;
    for (const p of prepared) {
      try {
        await client.commit(p);
        done++;
      } catch (e) {
        if (isDatastoreError(e, "Unavailable")) throw e;
        const msg = describeFailure(e);
        if (done === 0) throw new CliError(`Failed to ${mode} '${p.obj.kind}' resource: [${msg}]`, EXIT_FAILED);
        throw new CliError(`Partial success: ${PAST[mode]} the first ${done} out of ${prepared.length} resources:
Hit error: ${msg}`, EXIT_FAILED);
      }
    }
    const kinds = prepared.map((p) => p.obj.kind);
    out(`Successfully ${PAST[mode]} ${countPhrase(done, kinds)}
`);
    if (skipped) out(`Skipped ${skipped} resource(s) that already exist
`);
  }, { namespace: opts.namespace });
}
function checkNamespaceFlag(obj2, namespace) {
  if (!namespace || !isPlainObject(obj2) || !isPlainObject(obj2.metadata)) return;
  const ns = obj2.metadata.namespace;
  if (typeof ns === "string" && ns !== "" && ns !== namespace) {
    throw new ValidationError(describeResource(obj2), [{ field: "metadata.namespace", value: ns, message: `does not match the namespace given with -n (${namespace})` }]);
  }
}
async function deleteFromFile(cmd, opts) {
  const docs = await loadDocuments(opts.filename);
  if (docs.length === 0) throw new CliError(`Failed to execute command: no resources specified in ${opts.filename}`, EXIT_USAGE);
  const targets = await Promise.all(docs.map(async (d) => {
    const obj2 = await convertDocument(d);
    const md = isPlainObject(obj2) && isPlainObject(obj2.metadata) ? obj2.metadata : {};
    const kind = kindOf(obj2);
    if (!resolveKind(kind) || resolveKind(kind).kind !== kind) throw new CliError(`Failed to delete '${kind || "unknown"}' resource: [resource type '${kind}' is not supported] (${d.source})`, EXIT_USAGE);
    if (typeof md.name !== "string" || !md.name) throw new CliError(`Failed to delete '${kind}' resource: [metadata.name is required] (${d.source})`, EXIT_USAGE);
    return { kind, name: md.name, namespace: typeof md.namespace === "string" && md.namespace ? md.namespace : opts.namespace, rv: typeof md.resourceVersion === "string" ? md.resourceVersion : void 0 };
  }));
  await withDatastore(cmd, async ({ client }) => deleteAll(client, targets, opts.skipNotExists ?? false), { namespace: opts.namespace });
}
async function deleteAll(client, targets, skipNotExists) {
  let done = 0;
  let skipped = 0;
  for (const t of targets) {
    try {
      refuseReadOnly(t.kind, "delete");
      await client.delete(t.kind, t.name, t.namespace, t.rv);
      done++;
    } catch (e) {
      if (skipNotExists && isDatastoreError(e, "NotFound")) {
        skipped++;
        continue;
      }
      if (isDatastoreError(e, "Unavailable")) throw e;
      const code = e instanceof UnsupportedKindError ? EXIT_USAGE : EXIT_FAILED;
      if (done === 0) throw new CliError(`Failed to delete '${t.kind}' resource: [${describeFailure(e)}]`, code);
      throw new CliError(`Partial success: deleted the first ${done} out of ${targets.length} resources:
Hit error: ${describeFailure(e)}`, code);
    }
  }
  out(`Successfully deleted ${countPhrase(done, targets.slice(0, done + skipped).map((t) => t.kind))}
`);
}
function outputFormat(o) {
  if (OUTPUT_FORMATS.includes(o)) return o;
  throw new CliError(`Failed to execute command: unrecognized output format '${o}' (use one of ${OUTPUT_FORMATS.join(", ")})`, EXIT_USAGE);
}
async function getCommand(cmd, kindName, names, opts) {
  const format = outputFormat(opts.output);
  if (opts.namespace && opts.allNamespaces) throw new CliError("Failed to execute command: --namespace and --all-namespaces cannot be used together", EXIT_USAGE);
  let selector2;
  if (opts.selector !== void 0) {
    try {
      selector2 = parseSelector(opts.selector);
    } catch (e) {
      if (e instanceof SelectorSyntaxError) throw new CliError(`Failed to execute command: ${e.message}`, EXIT_USAGE);
      throw e;
    }
  }
  let wanted;
  if (opts.filename) {
    if (kindName) throw new CliError("Failed to execute command: give either -f or KIND [NAME...], not both", EXIT_USAGE);
    wanted = (await loadDocuments(opts.filename)).map((d) => {
      const md = isPlainObject(d.obj) && isPlainObject(d.obj.metadata) ? d.obj.metadata : {};
      const info = kindArg(kindOf(d.obj));
      return { info, names: [String(md.name ?? "")], namespace: typeof md.namespace === "string" ? md.namespace : void 0 };
    });
  } else {
    if (!kindName) throw new CliError("Failed to execute command: a resource type is required (e.g. tabby get ippools)", EXIT_USAGE);
    wanted = [{ info: kindArg(kindName), names }];
  }
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  await withDatastore(cmd, async ({ client, datastore }) => {
    const found = [];
    const missing = [];
    for (const w of wanted) {
      const ns = w.info.namespaced ? w.namespace ?? (opts.allNamespaces ? void 0 : namespace) : void 0;
      if (w.names.length === 0) {
        found.push(...await client.list(w.info.kind, ns));
        continue;
      }
      for (const n of w.names) {
        const r = w.info.namespaced && ns === void 0 ? (await client.list(w.info.kind)).filter((x) => x.metadata.name === n) : [await datastore.get(w.info.kind, n, ns)].filter((x) => x !== void 0);
        if (r.length) found.push(...r);
        else missing.push(`resource does not exist: ${resourceId(w.info.kind, n, ns)} with error: ${w.info.kind} "${n}" not found`);
      }
    }
    const items = selector2 ? found.filter((r) => selector2.evaluate(r.metadata.labels ?? {})) : found;
    if (!opts.filename && names.length === 0) items.sort((a, b2) => (a.metadata.namespace ?? "").localeCompare(b2.metadata.namespace ?? "") || a.metadata.name.localeCompare(b2.metadata.name));
    const kind = wanted[0].info.kind;
    if (format === "yaml" || format === "json") {
      const single = !opts.filename && names.length === 1 && items.length === 1;
      const doc = single ? items[0] : listOf(kind, items, String(await datastore.revision()));
      if (items.length || missing.length === 0) out(format === "yaml" ? renderYaml(doc) : renderJson(doc));
    } else {
      const withNamespace = wanted[0].info.namespaced && (opts.allNamespaces === true || opts.namespace !== void 0);
      const bgp = kind === "Node" && format === "wide" ? await datastore.get("BGPConfiguration", "default") : void 0;
      out(renderTable(kind, items, { wide: format === "wide", withNamespace, ctx: { globalAsNumber: bgp?.spec?.asNumber ?? DEFAULT_AS_NUMBER } }));
    }
    if (missing.length) throw new CliError(`Failed to get resources: ${missing.join("; ")}`, EXIT_FAILED);
  });
}
function parsePatch(text) {
  try {
    return (0, import_yaml3.parse)(text);
  } catch (e) {
    throw new CliError(`Failed to execute command: the patch is not valid JSON: ${e.message.split("\n")[0]}`, EXIT_USAGE);
  }
}
function parseLabelArg(arg, remove) {
  if (remove) {
    if (arg.includes("=")) throw new CliError(`Failed to execute command: with --remove give only the label key, not "${arg}"`, EXIT_USAGE);
    return { key: arg };
  }
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new CliError(`Failed to execute command: label must be key=value, got "${arg}"`, EXIT_USAGE);
  return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
}
async function validateFromFile(opts) {
  const docs = await loadDocuments(opts.filename);
  if (docs.length === 0) throw new CliError(`Failed to execute command: no resources specified in ${opts.filename}`, EXIT_USAGE);
  const client = new ResourceClient(void 0, { defaultNamespace: opts.namespace });
  const failures = [];
  for (const d of docs) {
    try {
      client.normalize(await convertDocument(d));
    } catch (e) {
      failures.push({ kind: kindOf(d.obj) || "unknown", error: e });
    }
  }
  if (failures.length) {
    for (const f of failures) err(`Failed to validate '${f.kind}' resource: [${describeFailure(f.error)}]
`);
    throw new CliError(`${failures.length} of ${docs.length} document(s) failed validation.`, exitCodeOf(failures.map((f) => f.error)));
  }
  out(`Successfully validated ${countPhrase(docs.length, docs.map((d) => kindOf(d.obj)))}
`);
}
var filenameOption = () => new Option("-f, --filename <FILE>", "file, directory or - (stdin) with resources");
var namespaceOption = () => new Option("-n, --namespace <NS>", 'namespace for namespaced resources (default "default")');
function registerResourceCommands(program2) {
  for (const [mode, desc] of [
    ["create", "Create resources from a file (fails if any exists)"],
    ["apply", "Create or update resources from a file"],
    ["replace", "Replace existing resources from a file"]
  ]) {
    const c = program2.command(mode).description(desc).addOption(filenameOption().makeOptionMandatory()).addOption(namespaceOption());
    if (mode === "create") c.option("--skip-exists", "skip resources that already exist instead of failing");
    c.action(async (opts, cmd) => writeFromFile(cmd, mode, opts));
  }
  program2.command("delete").description("Delete resources given in a file, or by KIND NAME...").argument("[kind]", "resource kind (ippool, bgppeer, networkpolicy, ...)").argument("[names...]", "resource names").addOption(filenameOption()).addOption(namespaceOption()).option("--skip-not-exists", "do not fail for resources that do not exist").action(async (kind, names, opts, cmd) => {
    if (opts.filename) {
      if (kind) throw new CliError("Failed to execute command: give either -f or KIND NAME..., not both", EXIT_USAGE);
      return deleteFromFile(cmd, opts);
    }
    if (!kind || names.length === 0) throw new CliError("Failed to execute command: delete needs -f FILE or KIND NAME...", EXIT_USAGE);
    const info = kindArg(kind);
    await withDatastore(cmd, async ({ client }) => deleteAll(client, names.map((name) => ({ kind: info.kind, name, namespace: opts.namespace })), opts.skipNotExists ?? false), { namespace: opts.namespace });
  });
  program2.command("get").description("Show resources as a table, YAML or JSON").argument("[kind]", "resource kind (ippools, nodes, wep, gnp, ...)").argument("[names...]", "resource names (default: all)").option("-o, --output <FORMAT>", "ps, wide, yaml or json", "ps").addOption(filenameOption()).addOption(namespaceOption()).option("-A, --all-namespaces", "all namespaces (namespaced kinds)").option("--selector <EXPR>", "only resources whose labels match this selector").action(async (kind, names, opts, cmd) => getCommand(cmd, kind, names, opts));
  program2.command("patch").description("Change a resource with a JSON merge patch").argument("<kind>", "resource kind").argument("<name>", "resource name").requiredOption("-p, --patch <JSON>", `JSON merge patch, e.g. '{"spec":{"natOutgoing":true}}'`).addOption(namespaceOption()).action(async (kind, name, opts, cmd) => {
    const info = kindArg(kind);
    refuseReadOnly(info.kind, "patch");
    const patch = parsePatch(opts.patch);
    await withDatastore(cmd, async ({ client }) => {
      try {
        await client.patch(info.kind, name, opts.namespace, patch);
      } catch (e) {
        if (isDatastoreError(e, "Unavailable")) throw e;
        throw new CliError(`Failed to patch '${info.kind}' resource: [${describeFailure(e)}]`, e instanceof UnsupportedKindError ? EXIT_USAGE : EXIT_FAILED);
      }
      out(`Successfully patched 1 '${info.kind}' resource
`);
    }, { namespace: opts.namespace });
  });
  program2.command("label").description("Set or remove a label on a resource").argument("<kind>", "resource kind").argument("<name>", "resource name").argument("<label>", "key=value, or key with --remove").option("--overwrite", "replace the value of an existing label").option("--remove", "remove the label").addOption(namespaceOption()).action(async (kind, name, label, opts, cmd) => {
    const info = kindArg(kind);
    refuseReadOnly(info.kind, "label");
    const { key, value } = parseLabelArg(label, opts.remove ?? false);
    const what = `${info.kind.toLowerCase()} ${name}`;
    await withDatastore(cmd, async ({ client }) => {
      try {
        await client.modify(info.kind, name, opts.namespace, (cur) => {
          const labels2 = { ...cur.metadata.labels ?? {} };
          if (opts.remove) {
            if (!(key in labels2)) throw new CliError(`Failed to remove label: label ${key} is not present on ${what}`, EXIT_FAILED);
            delete labels2[key];
          } else {
            if (key in labels2 && labels2[key] !== value && !opts.overwrite) {
              throw new CliError(`Failed to set label: label ${key} already exists on ${what} with value ${labels2[key]}; use --overwrite to change it`, EXIT_FAILED);
            }
            labels2[key] = value;
          }
          cur.metadata.labels = labels2;
          return cur;
        });
      } catch (e) {
        if (e instanceof CliError || isDatastoreError(e, "Unavailable")) throw e;
        throw new CliError(`Failed to ${opts.remove ? "remove" : "set"} label: [${describeFailure(e)}]`, e instanceof UnsupportedKindError ? EXIT_USAGE : EXIT_FAILED);
      }
      out(opts.remove ? `Successfully removed label ${key} from ${what}
` : `Successfully set label ${key} on ${what}
`);
    }, { namespace: opts.namespace });
  });
  program2.command("validate").description("Check resources in a file without a datastore").addOption(filenameOption().makeOptionMandatory()).addOption(namespaceOption()).action(async (opts) => validateFromFile(opts));
  registerVersionCommand(program2);
}

// src/ctl/ipam.ts
init_ipam();
import { writeFileSync } from "node:fs";
var NUMERIC = /^-?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?$/;
function pad(s2, width, align) {
  const gap = width - [...s2].length;
  if (gap <= 0) return s2;
  if (align === "right") return " ".repeat(gap) + s2;
  if (align === "left") return s2 + " ".repeat(gap);
  const left = Math.floor(gap / 2);
  return " ".repeat(left) + s2 + " ".repeat(gap - left);
}
function borderedTable(header, rows) {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i] ?? ""].length)));
  const line = "+" + widths.map((w) => "-".repeat(w + 2)).join("+") + "+\n";
  const fmt = (cells, head) => "|" + cells.map((c, i) => " " + pad(c, widths[i], head ? "center" : NUMERIC.test(c) ? "right" : "left") + " ").join("|") + "|\n";
  return line + fmt(header, true) + line + rows.map((r) => fmt(r, false)).join("") + line;
}
function percent(n, total) {
  return `${n} (${total ? Math.round(100 * n / total) : 0}%)`;
}
function parseBool(flag, v) {
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new CliError(`invalid value for ${flag}: ${JSON.stringify(v)} (use true or false)`, EXIT_USAGE);
}
function parseIPFlag(v) {
  const ip = v.split("/")[0];
  if (!ip_exports.isIPv4(ip)) throw new CliError(`invalid IP address ${JSON.stringify(v)}${v.includes(":") ? " (IPv6 is not supported by this IPAM yet)" : ""}`, EXIT_USAGE);
  return ip;
}
function registerIpamCommands(program2) {
  const ipam = program2.command("ipam").description("IP address management: show usage, check consistency, release addresses, configure");
  ipam.command("show").description("show IP pool and block usage, one address, borrowed addresses or the IPAM configuration").option("--ip <ip>", "report whether this address is in use and by what").option("--show-blocks", "show each block of every pool").option("--show-borrowed", "list addresses a node uses from another node's block").option("--show-configuration", "show the IPAM configuration").action(async (opts, cmd) => {
    const ip = opts.ip !== void 0 ? parseIPFlag(opts.ip) : void 0;
    await withDatastore(cmd, async ({ datastore }) => {
      const snap = await loadSnapshot(datastore);
      if (opts.showConfiguration) {
        const c = snap.config;
        out(borderedTable(["PROPERTY", "VALUE"], [
          ["StrictAffinity", String(c.strictAffinity)],
          ["AutoAllocateBlocks", String(c.autoAllocateBlocks)],
          ["MaxBlocksPerHost", String(c.maxBlocksPerHost)]
        ]));
        return;
      }
      if (ip !== void 0) {
        const a = lookupIP(snap, ip);
        if (!a) {
          out(`${ip} is not assigned
`);
          return;
        }
        const lines = [`IP ${ip} is in use`];
        if (a.handle) lines.push(`Handle ID: ${a.handle}`);
        lines.push(`Block: ${a.block}${a.blockOwner ? ` (affine to ${a.blockOwner})` : ""}`);
        const keys = Object.keys(a.attrs).sort();
        if (keys.length) {
          lines.push("Attributes:");
          for (const k of keys) lines.push(`  ${k}: ${a.attrs[k]}`);
        }
        out(lines.join("\n") + "\n");
        return;
      }
      if (opts.showBorrowed) {
        const rows2 = borrowedRows(snap).map((r) => [r.ip, r.borrowingNode, r.block, r.blockOwner, r.type, r.allocatedTo]);
        out(borderedTable(["IP", "BORROWING-NODE", "BLOCK", "BLOCK OWNER", "TYPE", "ALLOCATED-TO"], rows2));
        return;
      }
      const rows = usageRows(snap, !!opts.showBlocks).map((r) => [r.grouping, r.cidr, String(r.total), percent(r.inUse, r.total), percent(r.free, r.total)]);
      out(borderedTable(["GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE"], rows));
    });
  });
  ipam.command("check").description("check IPAM for inconsistencies (leaked addresses, unallocated in-use addresses, orphaned handles, ...); exit code 1 when problems are found").option("-o, --output <file>", "also write a JSON report to this file").option("--show-all-ips", "print every in-use address").option("--show-problem-ips", "print every problem address even when there are many").action(async (opts, cmd) => {
    await withDatastore(cmd, async ({ datastore }) => {
      const snap = await loadSnapshot(datastore);
      const report = checkIpam(snap);
      out(formatCheckReport(report, snap, { showAllIPs: opts.showAllIps, showProblemIPs: opts.showProblemIps }));
      if (opts.output) {
        writeFileSync(opts.output, JSON.stringify(report, null, 2) + "\n");
        out(`Wrote report to ${opts.output}
`);
      }
      if (report.problems > 0) process.exitCode = EXIT_FAILED;
    });
  });
  ipam.command("release").description("release an IP address (mark it free in IPAM)").requiredOption("--ip <ip>", "the address to release").action(async (opts, cmd) => {
    const ip = parseIPFlag(opts.ip);
    await withDatastore(cmd, async ({ datastore }) => {
      const left = await createIpam(datastore).releaseIPs([ip]);
      if (left.length) throw new CliError(`IP address ${ip} is not assigned`, EXIT_FAILED);
      out(`Successfully released IP address ${ip}
`);
    });
  });
  ipam.command("configure").description("change the IPAM configuration").option("--strictaffinity <bool>", "true: a node never borrows addresses from another node's block").option("--max-blocks-per-host <n>", "most blocks one node may claim (0 = default of 20)").action(async (opts, cmd) => {
    const patch = {};
    if (opts.strictaffinity !== void 0) patch.strictAffinity = parseBool("--strictaffinity", opts.strictaffinity);
    if (opts.maxBlocksPerHost !== void 0) {
      if (!/^\d+$/.test(opts.maxBlocksPerHost)) throw new CliError(`invalid value for --max-blocks-per-host: ${JSON.stringify(opts.maxBlocksPerHost)} (a non-negative integer)`, EXIT_USAGE);
      patch.maxBlocksPerHost = Number(opts.maxBlocksPerHost);
    }
    if (!Object.keys(patch).length) throw new CliError("nothing to configure: give --strictaffinity and/or --max-blocks-per-host", EXIT_USAGE);
    await withDatastore(cmd, async ({ datastore }) => {
      try {
        const cfg = await createIpam(datastore).setConfig(patch);
        out(`Successfully set StrictAffinity to: ${cfg.strictAffinity}
`);
        out(`Successfully set MaxBlocksPerHost to: ${cfg.maxBlocksPerHost}${cfg.maxBlocksPerHost === 0 ? ` (effective ${effectiveMaxBlocks(cfg)})` : ""}
`);
      } catch (e) {
        if (e instanceof IpamError) throw new CliError(e.message, EXIT_USAGE);
        throw e;
      }
    });
  });
}

// src/ctl/node.ts
import { hostname } from "node:os";

// src/bgp/cli.ts
import http from "node:http";

// src/bgp/status.ts
function birdState(p) {
  return p.state === "Established" ? "up" : "start";
}
function pad2(n) {
  return n < 10 ? "0" + n : String(n);
}
function formatSince(iso, now = /* @__PURE__ */ new Date()) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "";
  if (now.getTime() - t.getTime() < 20 * 36e5) return `${pad2(t.getHours())}:${pad2(t.getMinutes())}:${pad2(t.getSeconds())}`;
  return `${t.getFullYear()}-${pad2(t.getMonth() + 1)}-${pad2(t.getDate())}`;
}
function formatTable(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const border = "+" + widths.map((w) => "-".repeat(w + 2)).join("+") + "+";
  const centre = (s2, w) => {
    const gap = w - s2.length;
    const left = Math.floor(gap / 2);
    return " ".repeat(left) + s2 + " ".repeat(gap - left);
  };
  const lines = [border, "| " + headers.map((h, i) => centre(h, widths[i])).join(" | ") + " |", border];
  for (const r of rows) lines.push("| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |");
  lines.push(border);
  return lines.join("\n") + "\n";
}
var isV6 = (addr) => addr.includes(":");
function familyTable(peers, label, now) {
  const mine = peers.filter((p) => label === "IPv6" === isV6(p.address));
  if (mine.length === 0) return `${label} BGP status
No ${label} peers found.
`;
  const rows = mine.map((p) => [p.address, p.peerType, birdState(p), formatSince(p.since, now), p.info]);
  return `${label} BGP status
` + formatTable(["PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO"], rows);
}
function formatNodeStatus(status, now = /* @__PURE__ */ new Date()) {
  return "Calico process is running.\n\n" + familyTable(status.peers, "IPv4", now) + "\n" + familyTable(status.peers, "IPv6", now);
}
function formatPeerDetail(status) {
  const out3 = [
    `BGP speaker: router id ${status.routerId}, AS ${status.asNumber}, listening on port ${status.listenPort}` + (status.clusterId ? `, route reflector cluster ${status.clusterId}` : ""),
    `Loc-RIB routes: ${status.locRibRoutes}; exported prefixes: ${status.exportedPrefixes.length ? status.exportedPrefixes.join(", ") : "(none)"}`,
    ""
  ];
  for (const p of status.peers) {
    out3.push(`Peer ${p.name} (${p.address}${p.port !== 179 ? ":" + p.port : ""}), ${p.peerType}, AS ${p.peerAs} (${p.ibgp ? "iBGP" : "eBGP"}${p.rrClient ? ", route reflector client" : ""})`);
    out3.push(`  State:            ${p.state} since ${p.since}${p.info && p.info !== p.state ? ` (${p.info})` : ""}`);
    if (p.peerRouterId) out3.push(`  Peer router id:   ${p.peerRouterId}; hold time ${p.holdTime ?? "-"} s`);
    if (p.capabilities?.length) out3.push(`  Capabilities:     ${p.capabilities.join(", ")}`);
    out3.push(`  Prefixes:         received ${p.prefixesReceived}, accepted ${p.prefixesAccepted}, sent ${p.prefixesSent}, stale ${p.staleRoutes}`);
    out3.push(`  Last error:       ${p.lastError ?? "(none)"}`);
    out3.push("");
  }
  return out3.join("\n");
}
var NOT_RUNNING_TEXT = "Calico process is not running.\n";

// src/bgp/cli.ts
var DEFAULT_STATUS_ENDPOINT = "http://127.0.0.1:9099/bgp/status";
function fetchBgpStatus(endpoint, timeoutMs = 2e3) {
  return new Promise((resolve4, reject) => {
    let opts;
    if (endpoint.startsWith("unix:")) {
      opts = { socketPath: endpoint.slice(5), path: "/bgp/status" };
    } else {
      let u;
      try {
        u = new URL(endpoint);
      } catch {
        reject(new CliError(`invalid status endpoint "${endpoint}"`, EXIT_USAGE));
        return;
      }
      opts = { host: u.hostname, port: u.port || 80, path: u.pathname === "/" ? "/bgp/status" : u.pathname };
    }
    const req = http.get({ ...opts, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200) {
          reject(new CliError(`node status endpoint answered ${res.statusCode}: ${body.trim()}`));
          return;
        }
        try {
          resolve4(JSON.parse(body));
        } catch {
          reject(new CliError("node status endpoint returned malformed JSON"));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (e) => reject(e));
  });
}
function registerNodeStatus(nodeCmd) {
  nodeCmd.command("status").description("Show the BGP status of the node this command runs on (calicoctl node status)").option("--endpoint <url>", "status endpoint of the running node (http URL or unix:/path)", process.env.TABBY_NODE_STATUS_URL ?? DEFAULT_STATUS_ENDPOINT).option("--detail", "also print per-peer detail: prefixes received/sent, capabilities, last error").option("-o, --output <format>", "table (default) or json", "table").action(async (opts) => {
    if (opts.output !== "table" && opts.output !== "json") throw new CliError(`unknown output format "${opts.output}" (want table or json)`, EXIT_USAGE);
    let status;
    try {
      status = await fetchBgpStatus(opts.endpoint);
    } catch (e) {
      if (e instanceof CliError) throw e;
      process.stdout.write(NOT_RUNNING_TEXT);
      throw new CliError(`cannot reach the node at ${opts.endpoint}: ${e.message}`, EXIT_FAILED);
    }
    if (opts.output === "json") {
      process.stdout.write(JSON.stringify(status, null, 2) + "\n");
      return;
    }
    if (!status.running) {
      process.stdout.write("Calico process is running.\n\nThe BGP backend process (BIRD) is not running.\n");
      return;
    }
    process.stdout.write(formatNodeStatus(status));
    if (opts.detail) process.stdout.write("\n" + formatPeerDetail(status));
  });
}

// src/ctl/node.ts
function port2(v, flag) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`${flag} must be a port number 0-65535 (0 disables), got "${v}"`, EXIT_USAGE);
  return n;
}
function registerNodeCommands(program2) {
  const nodeCmd = program2.command("node").description("Run or inspect the node agent (calico-node role)");
  nodeCmd.command("run").description("Run the node agent in this network namespace: register the node, then program routes, VXLAN, NAT and (backend bird) BGP").option("--node-name <name>", "node name (env NODENAME, else the host name)").option("--state-dir <dir>", "where the CNI plugin finds nodename and mtu (env TABBY_STATE_DIR)", void 0).option("--ip <addr>", 'node IPv4 address (a.b.c.d[/len]) or "autodetect" (env IP)').option("--ip-autodetection-method <method>", "first-found | interface=REGEX | skip-interface=REGEX | can-reach=IP | cidr=CIDR (env IP_AUTODETECTION_METHOD)").option("--backend <name>", "bird (BGP, the default) | vxlan | none (env CALICO_NETWORKING_BACKEND)").option("--health-port <n>", "health port, /liveness and /readiness (0 disables)", process.env.FELIX_HEALTHPORT ?? "9099").option("--health-host <addr>", "health listen address", process.env.FELIX_HEALTHHOST ?? "127.0.0.1").option("--metrics-port <n>", "Prometheus port, /metrics (0 disables)", process.env.FELIX_PROMETHEUSMETRICSPORT ?? "9091").option("--metrics-host <addr>", "Prometheus listen address", process.env.FELIX_PROMETHEUSMETRICSHOST ?? "0.0.0.0").option("--resync-interval <seconds>", "kernel re-read period (Felix routeRefreshInterval)", process.env.FELIX_ROUTEREFRESHINTERVAL ?? "90").option("--log-file <path>", "write JSON logs to this file instead of stderr").option("--datastore-path <file>", "embedded datastore file (env TABBY_DATASTORE_PATH)").action(async (flags) => {
    const env = process.env;
    const backend = (flags.backend ?? env.CALICO_NETWORKING_BACKEND ?? "bird").toLowerCase();
    if (backend !== "bird" && backend !== "vxlan" && backend !== "none") {
      throw new CliError(`unknown networking backend "${backend}" (want bird, vxlan or none)`, EXIT_USAGE);
    }
    const resync = Number(flags.resyncInterval);
    if (!(resync > 0)) throw new CliError(`--resync-interval must be a positive number of seconds, got "${flags.resyncInterval}"`, EXIT_USAGE);
    const healthPort = port2(flags.healthPort, "--health-port");
    const metricsPort = port2(flags.metricsPort, "--metrics-port");
    const nodeName = flags.nodeName ?? env.NODENAME ?? env.HOSTNAME ?? hostname();
    const stateDir = flags.stateDir ?? env.TABBY_STATE_DIR ?? "/var/lib/tabby";
    const { createLogger: createLogger2 } = await Promise.resolve().then(() => (init_log(), log_exports));
    const globals = program2.opts();
    const level = program2.getOptionValueSource("logLevel") === "cli" ? globals.logLevel : env.TABBY_LOG_LEVEL ?? env.LOG_LEVEL ?? "info";
    const log4 = createLogger2("node", { level, file: flags.logFile });
    const { openDatastore: openDatastore2, resolveDatastoreConfig: resolveDatastoreConfig2 } = await Promise.resolve().then(() => (init_datastore(), datastore_exports));
    const cfg = resolveDatastoreConfig2({ configFile: globals.config, overrides: flags.datastorePath ? { type: "embedded", path: flags.datastorePath } : {} });
    const ds = await openDatastore2(cfg);
    const { NetlinkKernel: NetlinkKernel2 } = await Promise.resolve().then(() => (init_netlink_kernel(), netlink_kernel_exports));
    const { Agent: Agent2 } = await Promise.resolve().then(() => (init_main(), main_exports));
    const kernel = new NetlinkKernel2();
    const agent = new Agent2({
      ds,
      nodeName,
      log: log4,
      kernel,
      stateDir,
      backend,
      env: { ...env, IP: flags.ip ?? env.IP, IP_AUTODETECTION_METHOD: flags.ipAutodetectionMethod ?? env.IP_AUTODETECTION_METHOD },
      healthPort,
      healthHost: flags.healthHost,
      metricsPort,
      metricsHost: flags.metricsHost,
      resyncIntervalMs: resync * 1e3
    });
    try {
      await agent.start();
    } catch (e) {
      log4.fatal({ err: e.message }, "start-up failed");
      await agent.stop().catch(() => void 0);
      await ds.close().catch(() => void 0);
      throw new CliError(`node agent start-up failed: ${e.message}`);
    }
    log4.info({ node: nodeName, backend, stateDir, datastore: cfg.type }, "node agent running");
    await new Promise((resolve4) => {
      const done = () => resolve4();
      process.once("SIGTERM", done);
      process.once("SIGINT", done);
    });
    log4.info("stopping");
    await agent.stop();
    kernel.close();
    await ds.close();
  });
  registerNodeStatus(nodeCmd);
}

// src/cni/install.ts
import { chmodSync, existsSync as existsSync3, mkdirSync as mkdirSync4, renameSync as renameSync3, writeFileSync as writeFileSync5 } from "node:fs";
import { dirname as dirname4, join as join7, resolve as resolve3 } from "node:path";
import { fileURLToPath as fileURLToPath3, pathToFileURL } from "node:url";
var EXECUTABLES = [
  ["tabby-cni", "dist/tabby-cni.mjs", "src/cni/main.ts"],
  ["tabby-ipam", "dist/tabby-ipam.mjs", "src/cni/ipam-main.ts"],
  ["calico", "dist/tabby-cni.mjs", "src/cni/main.ts"],
  ["calico-ipam", "dist/tabby-ipam.mjs", "src/cni/ipam-main.ts"]
];
function projectRoot2() {
  const here = dirname4(fileURLToPath3(import.meta.url));
  for (const cand of [resolve3(here, "..", ".."), resolve3(here, "..")]) if (existsSync3(join7(cand, "package.json"))) return cand;
  return resolve3(here, "..", "..");
}
function launcherText(root2, bundle, source) {
  const bundlePath = join7(root2, bundle);
  if (existsSync3(bundlePath)) {
    return { text: `#!${process.execPath}
import(${JSON.stringify(pathToFileURL(bundlePath).href)});
`, fromSource: false };
  }
  const tsx = join7(root2, "node_modules/tsx/dist/esm/index.mjs");
  return {
    text: `#!/bin/sh
exec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(pathToFileURL(tsx).href)} ${JSON.stringify(join7(root2, source))} "$@"
`,
    fromSource: true
  };
}
function buildConflist(o) {
  const plugin = {
    type: "calico",
    log_level: o.logLevel ?? "info",
    log_file_path: o.logFile ?? "/var/log/calico/cni/cni.log",
    datastore_type: o.datastoreType ?? (o.etcdEndpoints ? "etcdv3" : "embedded")
  };
  if (o.etcdEndpoints) plugin.etcd_endpoints = o.etcdEndpoints;
  if (o.datastorePath) plugin.datastore_path = o.datastorePath;
  if (o.nodename) plugin.nodename = o.nodename;
  plugin.mtu = o.mtu ?? 0;
  if (o.stateDir) plugin.state_dir = o.stateDir;
  plugin.ipam = { type: "calico-ipam" };
  plugin.policy = { type: "k8s" };
  const plugins = [plugin];
  if (o.chain !== false) {
    plugins.push({ type: "portmap", snat: true, capabilities: { portMappings: true } });
    plugins.push({ type: "bandwidth", capabilities: { bandwidth: true } });
  }
  return { name: o.networkName ?? "k8s-pod-network", cniVersion: o.cniVersion ?? "1.0.0", plugins };
}
function writeAtomic(path6, text, mode) {
  const tmp = `${path6}.tabby-tmp-${process.pid}`;
  writeFileSync5(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync3(tmp, path6);
}
function installCni(o) {
  const root2 = o.root ?? projectRoot2();
  mkdirSync4(o.binDir, { recursive: true });
  mkdirSync4(o.confDir, { recursive: true });
  const executables = [];
  let fromSource = false;
  for (const [name, bundle, source] of EXECUTABLES) {
    const l = launcherText(root2, bundle, source);
    fromSource ||= l.fromSource;
    const path6 = join7(o.binDir, name);
    writeAtomic(path6, l.text, 493);
    executables.push(path6);
  }
  const conflist = join7(o.confDir, o.confName ?? process.env.CNI_CONF_NAME ?? "10-calico.conflist");
  writeAtomic(conflist, JSON.stringify(buildConflist(o), null, 2) + "\n", 420);
  return { executables, conflist, fromSource };
}

// src/ctl/cni.ts
function registerCniCommands(program2) {
  const cni = program2.command("cni").description("CNI plugin management");
  cni.command("install").description("Install tabby-cni/tabby-ipam (also as calico/calico-ipam) and write 10-calico.conflist").requiredOption("--bin-dir <dir>", "CNI binary directory (e.g. /opt/cni/bin)").requiredOption("--conf-dir <dir>", "CNI config directory (e.g. /etc/cni/net.d)").option("--datastore-path <file>", "embedded datastore file the plugin uses").option("--datastore-type <type>", "embedded | etcdv3 | kubernetes (kubernetes = the node default store)").option("--etcd-endpoints <urls>", "etcd endpoints (comma-separated) for datastore type etcdv3").option("--nodename <name>", "node name written into the conflist (default: read from the node agent state)").option("--mtu <n>", "pod MTU (0 = auto from the node agent state dir)").option("--state-dir <dir>", "node agent state dir (nodename, mtu), default /var/lib/tabby").option("--log-file <file>", "plugin log file", "/var/log/calico/cni/cni.log").option("--log-level <level>", "plugin log level (debug, info, warning, error)", "info").option("--conf-name <name>", "conflist file name (env CNI_CONF_NAME)", void 0).option("--network-name <name>", "network name", "k8s-pod-network").option("--cni-version <v>", "conflist cniVersion", "1.0.0").option("--no-chain", "do not chain portmap and bandwidth after the plugin").action((o) => {
    let mtu;
    if (o.mtu !== void 0) {
      mtu = Number(o.mtu);
      if (!Number.isInteger(mtu) || mtu < 0 || mtu > 0 && mtu < 68 || mtu > 65535) throw new CliError(`--mtu must be 0 or 68-65535, got "${o.mtu}"`, EXIT_USAGE);
    }
    const dt = o.datastoreType;
    if (dt && !["embedded", "etcdv3", "kubernetes"].includes(dt)) throw new CliError(`--datastore-type must be embedded, etcdv3 or kubernetes, got "${dt}"`, EXIT_USAGE);
    const r = installCni({
      binDir: o.binDir,
      confDir: o.confDir,
      datastorePath: o.datastorePath,
      datastoreType: dt,
      etcdEndpoints: o.etcdEndpoints,
      nodename: o.nodename,
      mtu,
      stateDir: o.stateDir,
      logFile: o.logFile,
      logLevel: o.logLevel,
      confName: o.confName,
      networkName: o.networkName,
      cniVersion: o.cniVersion,
      chain: o.chain !== false
    });
    for (const e of r.executables) process.stdout.write(`installed ${e}
`);
    process.stdout.write(`wrote ${r.conflist}
`);
    if (r.fromSource) process.stderr.write("warning: dist/ bundles not found (run scripts/build.sh); launchers run the TypeScript source, which starts slowly\n");
  });
}

// src/ctl/lab.ts
import { spawnSync as spawnSync2 } from "node:child_process";

// src/lab/lab.ts
import { spawn as spawn2 } from "node:child_process";
import * as fs5 from "node:fs";
import * as path3 from "node:path";

// src/lab/kernel.ts
import { execFileSync, spawnSync } from "node:child_process";
import * as fs2 from "node:fs";
var CommandError2 = class extends Error {
  constructor(argv, status, stdout, stderr) {
    super(`${argv.join(" ")} failed (exit ${status}): ${(stderr || stdout).trim()}`);
    this.argv = argv;
    this.status = status;
    this.stdout = stdout;
    this.stderr = stderr;
    this.name = "CommandError";
  }
  argv;
  status;
  stdout;
  stderr;
};
function run2(argv, opts = {}) {
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: "utf8",
    input: opts.input,
    env: opts.env ?? process.env,
    timeout: opts.timeoutMs ?? 6e4,
    maxBuffer: 64 << 20
  });
  if (r.error) throw new CommandError2(argv, null, "", r.error.message);
  if (r.status !== 0) throw new CommandError2(argv, r.status, r.stdout ?? "", r.stderr ?? "");
  return r.stdout ?? "";
}
function netnsExists2(name) {
  return fs2.existsSync(`/run/netns/${name}`);
}
function addNetns(name) {
  run2(["ip", "netns", "add", name]);
  run2(["ip", "-n", name, "link", "set", "lo", "up"]);
}
function delNetns(name) {
  if (!netnsExists2(name)) return;
  for (const pid of netnsPids(name)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
    }
  }
  try {
    execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
  } catch {
  }
}
function netnsPids(name) {
  try {
    return execFileSync("ip", ["netns", "pids", name], { encoding: "utf8" }).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
function ipBatch(ns, lines) {
  if (lines.length === 0) return;
  run2(["ip", "-n", ns, "-batch", "-"], { input: lines.join("\n") + "\n" });
}
function addVeth(nsA, ifA, nsB, ifB) {
  run2(["ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB]);
}
function execIn2(ns, argv, opts = {}) {
  return run2(["ip", "netns", "exec", ns, ...argv], opts);
}
function sysctlIn(ns, settings) {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  execIn2(ns, ["sysctl", "-q", "-w", ...args]);
}
function processCmdline(pid) {
  try {
    return fs2.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

// src/lab/state.ts
import * as fs3 from "node:fs";
import * as path from "node:path";
var LAB_ROOT = process.env.TABBY_LAB_ROOT ?? "/run/tabby-lab";
function labDir(name) {
  return path.join(LAB_ROOT, name);
}
function statePath(name) {
  return path.join(labDir(name), "state.json");
}
function readState(name) {
  try {
    return JSON.parse(fs3.readFileSync(statePath(name), "utf8"));
  } catch (e) {
    if (e.code === "ENOENT") return void 0;
    throw new Error(`lab state ${statePath(name)} is unreadable: ${e.message}`);
  }
}
function writeState(state) {
  fs3.mkdirSync(state.dir, { recursive: true });
  const file = statePath(state.name);
  const tmp = `${file}.${process.pid}.tmp`;
  fs3.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs3.renameSync(tmp, file);
}
function listLabs() {
  try {
    return fs3.readdirSync(LAB_ROOT).filter((n) => fs3.existsSync(statePath(n))).sort();
  } catch {
    return [];
  }
}
function pidAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}
async function withLabLock(name, fn, timeoutMs = 12e4) {
  const dir = labDir(name);
  fs3.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, "lock");
  const deadline = Date.now() + timeoutMs;
  for (; ; ) {
    try {
      fs3.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      const owner = Number(fs3.readFileSync(lock, "utf8").trim() || "0");
      if (!pidAlive(owner) || owner === process.pid) {
        fs3.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`lab ${name} is busy: another lab command (PID ${owner}) holds ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (fs3.readFileSync(lock, "utf8").trim() === String(process.pid)) fs3.rmSync(lock, { force: true });
    } catch {
    }
  }
}

// src/lab/topology.ts
var LAB_MODES = ["ipip", "vxlan", "none", "ipip-crosssubnet", "vxlan-crosssubnet"];
var NODE_INTERFACE = "ens3";
var POD_CIDR = "192.168.0.0/16";
var EXTERNAL_IP = "8.8.8.8";
var WAN_ROUTER_IP = "203.0.113.1";
var WAN_EXTERNAL_IP = "203.0.113.10";
var ETCD_CLIENT_PORT = 2379;
var MAX_NODES = 200;
var NAME_RE = /^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/;
function validateLabName(name) {
  if (!NAME_RE.test(name)) {
    throw new Error(`invalid lab name "${name}": use 1-16 lower-case letters, digits or '-', not starting or ending with '-'`);
  }
}
function nodeNames(count) {
  const names = ["controlplane"];
  for (let i = 1; i < count; i++) names.push(`node${String(i).padStart(2, "0")}`);
  return names;
}
function nodeAddress(index, subnets) {
  if (subnets === 1) {
    const host2 = index === 0 ? 32 : 39 + index;
    return { ip: `172.17.0.${host2}`, prefixLen: 16, subnet: 0, gateway: "172.17.0.1" };
  }
  const subnet = index % 2;
  const k = Math.floor(index / 2);
  const host = subnet === 0 ? k === 0 ? 32 : 40 + k : 40 + k;
  if (host > 254) throw new Error(`too many nodes for two /24 subnets`);
  return { ip: `172.17.${subnet}.${host}`, prefixLen: 24, subnet, gateway: `172.17.${subnet}.1` };
}
function planTopology(opts) {
  validateLabName(opts.name);
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_NODES) {
    throw new Error(`--nodes must be an integer from 1 to ${MAX_NODES}, got ${opts.nodes}`);
  }
  if (opts.subnets !== 1 && opts.subnets !== 2) throw new Error(`--subnets must be 1 or 2, got ${String(opts.subnets)}`);
  if (!LAB_MODES.includes(opts.mode)) throw new Error(`--mode must be one of ${LAB_MODES.join("|")}, got "${opts.mode}"`);
  const p = opts.name;
  const fabricNs = `${p}-fabric`;
  const routerNs = `${p}-router`;
  const externalNs = `${p}-external`;
  const bridges = opts.subnets === 2 ? ["br0", "br1"] : ["br0"];
  const veths = [];
  const routes = [];
  for (let s2 = 0; s2 < opts.subnets; s2++) {
    veths.push({
      a: { ns: routerNs, ifname: `eth${s2}`, address: opts.subnets === 2 ? `172.17.${s2}.1/24` : "172.17.0.1/16" },
      b: { ns: fabricNs, ifname: `rt${s2}` },
      bridge: bridges[s2]
    });
  }
  veths.push({
    a: { ns: routerNs, ifname: "wan0", address: `${WAN_ROUTER_IP}/24` },
    b: { ns: externalNs, ifname: "eth0", address: `${WAN_EXTERNAL_IP}/24` }
  });
  routes.push({ ns: externalNs, args: ["default", "via", WAN_ROUTER_IP] });
  routes.push({ ns: routerNs, args: [`${EXTERNAL_IP}/32`, "via", WAN_EXTERNAL_IP] });
  const nodes = nodeNames(opts.nodes).map((name, i) => {
    const a = nodeAddress(i, opts.subnets);
    return { name, ns: `${p}-${name}`, ...a };
  });
  nodes.forEach((n, i) => {
    veths.push({
      a: { ns: n.ns, ifname: NODE_INTERFACE, address: `${n.ip}/${n.prefixLen}` },
      b: { ns: fabricNs, ifname: `n${i}` },
      bridge: bridges[n.subnet]
    });
    routes.push({ ns: n.ns, args: ["default", "via", n.gateway, "dev", NODE_INTERFACE] });
  });
  return {
    prefix: p,
    fabricNs,
    routerNs,
    externalNs,
    bridges,
    nodes,
    veths,
    routes,
    loopbackAddresses: [{ ns: externalNs, address: `${EXTERNAL_IP}/32` }],
    forwarding: [routerNs, ...nodes.map((n) => n.ns)]
  };
}
function modeEnv(mode) {
  switch (mode) {
    case "ipip":
      return { ipip: "Always", vxlan: "Never", backend: "bird" };
    case "ipip-crosssubnet":
      return { ipip: "CrossSubnet", vxlan: "Never", backend: "bird" };
    case "vxlan":
      return { ipip: "Never", vxlan: "Always", backend: "vxlan" };
    case "vxlan-crosssubnet":
      return { ipip: "Never", vxlan: "CrossSubnet", backend: "vxlan" };
    case "none":
      return { ipip: "Never", vxlan: "Never", backend: "bird" };
  }
}

// src/lab/env.ts
import * as fs4 from "node:fs";
import * as path2 from "node:path";
import { fileURLToPath as fileURLToPath4 } from "node:url";
function findRepoRoot() {
  let dir = path2.dirname(fileURLToPath4(import.meta.url));
  for (; ; ) {
    if (fs4.existsSync(path2.join(dir, "bin", "tabby"))) return dir;
    const up = path2.dirname(dir);
    if (up === dir) throw new Error(`cannot find bin/tabby above ${fileURLToPath4(import.meta.url)}; set TABBY_BIN`);
    dir = up;
  }
}
var repoRoot;
function tabbyBin() {
  if (process.env.TABBY_BIN) return process.env.TABBY_BIN;
  repoRoot ??= findRepoRoot();
  return path2.join(repoRoot, "bin", "tabby");
}
function basePath() {
  const dirs = [path2.dirname(tabbyBin()), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
  return [...new Set(dirs)].join(":");
}
function datastoreEnv(state) {
  if (state.datastore === "etcd") {
    if (!state.etcd) throw new Error(`lab ${state.name} uses etcd but has no etcd recorded (was \`lab up\` interrupted?)`);
    return { DATASTORE_TYPE: "etcdv3", ETCD_ENDPOINTS: state.etcd.endpoint };
  }
  return { DATASTORE_TYPE: "embedded", TABBY_DATASTORE_PATH: state.datastorePath ?? path2.join(state.dir, "datastore.db") };
}
function nodeShellEnv(state, node) {
  return {
    PATH: basePath(),
    HOME: process.env.HOME ?? "/root",
    TERM: process.env.TERM ?? "dumb",
    ...datastoreEnv(state),
    NODENAME: node.name,
    TABBY_STATE_DIR: node.stateDir,
    TABBY_LAB: state.name,
    // Children run the same build as this process (source or bundle).
    ...process.env.TABBY_FROM_SOURCE ? { TABBY_FROM_SOURCE: process.env.TABBY_FROM_SOURCE } : {}
  };
}
function nodeAgentEnv(state, node) {
  const m = modeEnv(state.mode);
  return {
    ...nodeShellEnv(state, node),
    IP_AUTODETECTION_METHOD: `interface=${NODE_INTERFACE}`,
    CALICO_IPV4POOL_CIDR: state.podCidr,
    CALICO_IPV4POOL_IPIP: m.ipip,
    CALICO_IPV4POOL_VXLAN: m.vxlan,
    CALICO_NETWORKING_BACKEND: m.backend,
    TABBY_LOG_LEVEL: process.env.TABBY_LAB_NODE_LOG_LEVEL ?? "info"
  };
}

// src/lab/datastore-client.ts
var import_yaml4 = __toESM(require_dist(), 1);
var LabDatastoreError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "LabDatastoreError";
  }
};
function tabby(state, args, input) {
  const cp = state.nodes[0];
  if (!cp) throw new LabDatastoreError(`lab ${state.name} has no nodes`);
  try {
    return execIn2(cp.ns, ["env", "-i", ...Object.entries(nodeShellEnv(state, cp)).map(([k, v]) => `${k}=${v}`), tabbyBin(), ...args], { input });
  } catch (e) {
    if (e instanceof CommandError2) {
      throw new LabDatastoreError(`\`tabby ${args.join(" ")}\` failed (exit ${e.status}): ${(e.stderr || e.stdout).trim()}`);
    }
    throw e;
  }
}
function applyResources(state, objs) {
  if (objs.length === 0) return;
  tabby(state, ["apply", "-f", "-"], objs.map((o) => import_yaml4.default.stringify(o)).join("---\n"));
}
function listResources(state, plural, namespaced) {
  const out3 = tabby(state, ["get", plural, ...namespaced ? ["--all-namespaces"] : [], "-o", "yaml"]);
  return parseResourceList(out3);
}
function parseResourceList(text) {
  const items = [];
  for (const doc of import_yaml4.default.parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new LabDatastoreError(`unparseable \`tabby get\` output: ${doc.errors[0].message}`);
    const v = doc.toJS();
    if (!v) continue;
    if (Array.isArray(v.items)) items.push(...v.items);
    else if (Array.isArray(v)) items.push(...v);
    else if (v.kind) items.push(v);
  }
  return items;
}
function namespaceProfile(ns, labels2) {
  const labelsToApply = { "pcns.projectcalico.org/name": ns };
  for (const [k, v] of Object.entries(labels2)) labelsToApply[`pcns.${k}`] = v;
  return {
    apiVersion: "projectcalico.org/v3",
    kind: "Profile",
    metadata: { name: `kns.${ns}` },
    spec: { ingress: [{ action: "Allow" }], egress: [{ action: "Allow" }], labelsToApply }
  };
}
function serviceAccountProfile(ns, sa = "default") {
  return {
    apiVersion: "projectcalico.org/v3",
    kind: "Profile",
    metadata: { name: `ksa.${ns}.${sa}` },
    spec: { labelsToApply: { "pcsa.projectcalico.org/name": sa } }
  };
}
function namespaceResources(ns, labels2) {
  return [namespaceProfile(ns, labels2), serviceAccountProfile(ns)];
}
function workloadLabels(namespace, podLabels, existing = {}) {
  const out3 = {};
  for (const [k, v] of Object.entries(existing)) if (k.startsWith("projectcalico.org/")) out3[k] = v;
  Object.assign(out3, podLabels);
  out3["projectcalico.org/namespace"] = namespace;
  out3["projectcalico.org/orchestrator"] = "k8s";
  if (!("projectcalico.org/serviceaccount" in out3)) out3["projectcalico.org/serviceaccount"] = "default";
  return out3;
}

// src/lab/lab.ts
function cniBinDir(dir) {
  return path3.join(dir, "cni", "bin");
}
async function labUp(opts, say2 = () => {
}) {
  const plan = planTopology(opts);
  return withLabLock(opts.name, async () => {
    const existing = readState(opts.name);
    if (existing) {
      if (existing.phase === "up" && existing.nodes.some((n) => pidAlive(n.pid))) {
        throw new Error(`lab ${opts.name} is already up (${existing.nodes.length} nodes); run \`tabby lab down --name ${opts.name}\` first`);
      }
      say2(`cleaning up what an earlier, unfinished lab ${opts.name} left behind`);
      teardown(existing, say2);
    }
    const dir = labDir(opts.name);
    const state = {
      name: opts.name,
      dir,
      phase: "creating",
      ownerPid: process.pid,
      mode: opts.mode,
      datastore: opts.datastore,
      subnets: opts.subnets,
      podCidr: opts.podCidr,
      createdAt: (/* @__PURE__ */ new Date()).toISOString(),
      namespaces: [],
      nodes: plan.nodes.map((n) => nodeState(dir, n.name, n.ns, n.ip, n.subnet)),
      pods: [],
      k8sNamespaces: { default: {}, "kube-system": {} },
      datastorePath: opts.datastore === "embedded" ? path3.join(dir, "datastore.db") : void 0,
      cniBinDir: cniBinDir(dir),
      processMarkers: {}
    };
    state.namespaces = [plan.fabricNs, plan.routerNs, plan.externalNs, ...plan.nodes.map((n) => n.ns)];
    writeState(state);
    const warnings = [];
    const t0 = Date.now();
    buildTopology(plan, say2);
    say2(`fabric up: ${plan.nodes.length} node(s), ${opts.subnets} subnet(s) (${Date.now() - t0} ms)`);
    if (opts.datastore === "etcd") {
      await startEtcd(state, say2);
    }
    fs5.mkdirSync(state.cniBinDir, { recursive: true });
    for (const node of state.nodes) {
      fs5.mkdirSync(node.stateDir, { recursive: true });
      fs5.mkdirSync(node.cniConfDir, { recursive: true });
    }
    const [first, ...rest] = state.nodes;
    const agentProblems = [];
    const agents = (async () => {
      await startNodeAgent(state, first, agentProblems);
      await Promise.all(rest.map((n) => startNodeAgent(state, n, agentProblems)));
    })();
    const [, cniProblems] = await Promise.all([agents, installCni2(state)]);
    if (agentProblems.length > 0) warnings.push(...agentProblems);
    else say2(`node agents running on ${state.nodes.length} node(s)`);
    if (cniProblems) warnings.push(cniProblems);
    else say2(`CNI plugin installed (${state.cniBinDir}, one config dir per node)`);
    try {
      applyResources(state, Object.entries(state.k8sNamespaces).flatMap(([ns, labels2]) => namespaceResources(ns, labels2)));
    } catch (e) {
      warnings.push(`could not write the namespace Profiles (kns.default, kns.kube-system): ${e.message}`);
    }
    state.phase = "up";
    writeState(state);
    return { state, warnings };
  });
}
function nodeState(dir, name, ns, ip, subnet) {
  const nodeDir = path3.join(dir, "nodes", name);
  return {
    name,
    ns,
    ip,
    subnet,
    pid: 0,
    stateDir: path3.join(nodeDir, "state"),
    cniConfDir: path3.join(nodeDir, "net.d"),
    logFile: path3.join(nodeDir, "node.log")
  };
}
function buildTopology(plan, say2) {
  for (const ns of [plan.fabricNs, plan.routerNs, plan.externalNs, ...plan.nodes.map((n) => n.ns)]) addNetns(ns);
  ipBatch(plan.fabricNs, plan.bridges.flatMap((br) => [`link add ${br} type bridge`, `link set ${br} up`]));
  const pending = /* @__PURE__ */ new Map();
  const queue = (ns, line) => {
    const l = pending.get(ns) ?? [];
    l.push(line);
    pending.set(ns, l);
  };
  for (const v of plan.veths) {
    addVeth(v.a.ns, v.a.ifname, v.b.ns, v.b.ifname);
    for (const end of [v.a, v.b]) {
      if ("address" in end) queue(end.ns, `address add ${end.address} dev ${end.ifname}`);
      queue(end.ns, `link set ${end.ifname} up`);
    }
    if (v.bridge) queue(v.b.ns, `link set ${v.b.ifname} master ${v.bridge}`);
  }
  for (const a of plan.loopbackAddresses) queue(a.ns, `address add ${a.address} dev lo`);
  for (const r of plan.routes) queue(r.ns, `route add ${r.args.join(" ")}`);
  for (const [ns, lines] of pending) ipBatch(ns, lines);
  for (const ns of plan.forwarding) sysctlIn(ns, { "net.ipv4.ip_forward": "1" });
  say2(`namespaces: ${plan.fabricNs} (bridge ${plan.bridges.join(", ")}), ${plan.routerNs}, ${plan.externalNs}, ${plan.nodes.map((n) => n.ns).join(", ")}`);
}
async function startEtcd(state, say2) {
  const cp = state.nodes[0];
  const dataDir = path3.join(state.dir, "etcd");
  const endpoint = `http://${cp.ip}:${ETCD_CLIENT_PORT}`;
  const log4 = fs5.openSync(path3.join(state.dir, "etcd.log"), "a");
  const name = `${state.name}-etcd`;
  const argv = [
    "ip",
    "netns",
    "exec",
    cp.ns,
    "etcd",
    "--name",
    name,
    "--data-dir",
    dataDir,
    "--listen-client-urls",
    `http://127.0.0.1:${ETCD_CLIENT_PORT},${endpoint}`,
    "--advertise-client-urls",
    endpoint,
    "--listen-peer-urls",
    `http://127.0.0.1:${ETCD_CLIENT_PORT + 1}`,
    "--initial-advertise-peer-urls",
    `http://127.0.0.1:${ETCD_CLIENT_PORT + 1}`,
    "--initial-cluster",
    `${name}=http://127.0.0.1:${ETCD_CLIENT_PORT + 1}`
  ];
  const child = spawn2(argv[0], argv.slice(1), { detached: true, stdio: ["ignore", log4, log4] });
  fs5.closeSync(log4);
  child.unref();
  state.etcd = { pid: child.pid, endpoint, dataDir };
  state.processMarkers[String(child.pid)] = dataDir;
  writeState(state);
  const deadline = Date.now() + 2e4;
  for (; ; ) {
    try {
      execIn2(cp.ns, ["etcdctl", "--endpoints", endpoint, "endpoint", "health"], { timeoutMs: 5e3 });
      break;
    } catch (e) {
      if (!pidAlive(child.pid)) throw new Error(`etcd exited at start; see ${path3.join(state.dir, "etcd.log")}`);
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy in 20 s: ${e.message}`);
      await sleep(200);
    }
  }
  say2(`etcd running on ${cp.name} (${endpoint}, PID ${child.pid})`);
}
async function startNodeAgent(state, node, problems) {
  const env = nodeAgentEnv(state, node);
  const log4 = fs5.openSync(node.logFile, "a");
  const child = spawn2("ip", ["netns", "exec", node.ns, "env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), tabbyBin(), "node", "run"], {
    detached: true,
    stdio: ["ignore", log4, log4]
  });
  fs5.closeSync(log4);
  child.unref();
  let exited;
  child.on("exit", (code) => {
    exited = code;
  });
  node.pid = child.pid;
  state.processMarkers[String(child.pid)] = `env:TABBY_LAB=${state.name}`;
  writeState(state);
  const deadline = Date.now() + Number(process.env.TABBY_LAB_AGENT_TIMEOUT_MS ?? 6e4);
  for (; ; ) {
    await sleep(250);
    if (exited !== void 0) {
      node.pid = 0;
      writeState(state);
      problems.push(`node agent on ${node.name} exited (code ${exited}) at start: ${tail(node.logFile)}`);
      return;
    }
    if (healthOk(node)) return;
    if (Date.now() > deadline) {
      problems.push(`node agent on ${node.name} (PID ${node.pid}) is running but its health endpoint :9099/liveness never answered; log: ${node.logFile}`);
      return;
    }
  }
}
function healthOk(node) {
  try {
    execIn2(node.ns, ["curl", "-sf", "-m", "1", "-o", "/dev/null", "http://127.0.0.1:9099/liveness"], { timeoutMs: 3e3 });
    return true;
  } catch {
    return false;
  }
}
function tail(file, lines = 4) {
  try {
    const all = fs5.readFileSync(file, "utf8").trim().split("\n").filter((l) => l.trim());
    const errors = all.filter((l) => /error|fatal|panic/i.test(l));
    const t = (errors.length > 0 ? errors : all).slice(-lines).join(" | ");
    return t || "(empty log)";
  } catch {
    return "(no log)";
  }
}
async function installCni2(state) {
  const queue = [...state.nodes];
  const problems = [];
  const worker = async () => {
    for (let node = queue.shift(); node; node = queue.shift()) {
      const env = nodeShellEnv(state, node);
      const args = [
        "cni",
        "install",
        "--bin-dir",
        state.cniBinDir,
        "--conf-dir",
        node.cniConfDir,
        "--nodename",
        node.name,
        "--state-dir",
        node.stateDir,
        "--log-file",
        path3.join(path3.dirname(node.logFile), "cni.log")
      ];
      if (state.etcd) args.push("--datastore-type", "etcdv3", "--etcd-endpoints", state.etcd.endpoint);
      else args.push("--datastore-type", "embedded", "--datastore-path", state.datastorePath);
      const r = await runAsync(["ip", "netns", "exec", node.ns, "env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), tabbyBin(), ...args]);
      if (r.code !== 0) {
        problems.push(`CNI plugin not installed on ${node.name} (\`tabby ${args.join(" ")}\`): ${r.stderr.trim().split("\n").slice(0, 3).join(" ")}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, state.nodes.length) }, worker));
  return problems.length > 0 ? problems.join("\n") : void 0;
}
function runAsync(argv) {
  return new Promise((resolve4) => {
    const child = spawn2(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", (e) => resolve4({ code: 127, stdout, stderr: e.message }));
    child.on("close", (code) => resolve4({ code: code ?? 1, stdout, stderr }));
  });
}
async function labDown(name, say2 = () => {
}) {
  if (!fs5.existsSync(statePath(name))) return false;
  await withLabLock(name, async () => {
    const state = readState(name);
    if (state) teardown(state, say2);
  });
  fs5.rmSync(labDir(name), { recursive: true, force: true });
  return true;
}
function teardown(state, say2) {
  const pids = [...state.nodes.map((n) => n.pid), state.etcd?.pid ?? 0].filter((p) => p > 0);
  const ours = pids.filter((pid) => isOurProcess(state, pid));
  for (const pid of ours) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
    }
  }
  const deadline = Date.now() + 3e3;
  while (ours.some(pidAlive) && Date.now() < deadline) sleepSync(50);
  for (const pid of ours.filter(pidAlive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
    }
  }
  const namespaces = [...state.pods.map((p) => p.netns), ...state.namespaces];
  const seen = /* @__PURE__ */ new Set();
  let removed = 0;
  for (const ns of namespaces.reverse()) {
    if (seen.has(ns)) continue;
    seen.add(ns);
    if (!ns.startsWith(`${state.name}-`)) continue;
    if (netnsExists2(ns)) {
      delNetns(ns);
      removed++;
    }
  }
  for (const node of state.nodes) node.pid = 0;
  if (state.etcd) state.etcd.pid = 0;
  for (const sub of ["nodes", "cni", "etcd", "cni-cache"]) fs5.rmSync(path3.join(state.dir, sub), { recursive: true, force: true });
  for (const f of ["datastore.db", "datastore.db-wal", "datastore.db-shm"]) fs5.rmSync(path3.join(state.dir, f), { force: true });
  say2(`lab ${state.name}: stopped ${ours.length} process(es), removed ${removed} namespace(s)`);
}
function isOurProcess(state, pid) {
  const cmd = processCmdline(pid);
  if (!cmd) return false;
  const marker = state.processMarkers[String(pid)];
  if (!marker) return false;
  if (marker.startsWith("env:")) {
    try {
      return fs5.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker.slice(4));
    } catch {
      return false;
    }
  }
  return cmd.includes(marker);
}
function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function nodeRows(state) {
  return state.nodes.map((n) => ({
    name: n.name,
    ip: n.ip,
    ns: n.ns,
    agent: n.pid && pidAlive(n.pid) ? `running (PID ${n.pid})` : "not running"
  }));
}
function mustState(name) {
  const s2 = readState(name);
  if (!s2) throw new Error(`no lab named "${name}" (run \`tabby lab up --name ${name}\`)`);
  if (s2.phase !== "up") throw new Error(`lab ${name} is not fully up (an earlier \`lab up\` did not finish); run \`tabby lab down --name ${name}\``);
  return s2;
}

// src/lab/pods.ts
import { createHash as createHash4, randomBytes as randomBytes2, randomUUID as randomUUID2 } from "node:crypto";
import * as path5 from "node:path";

// src/lab/cni-runtime.ts
import { spawn as spawn3 } from "node:child_process";
import * as fs6 from "node:fs";
import * as path4 from "node:path";
var CniPluginError = class extends Error {
  constructor(plugin, command, code, msg, details, stderr) {
    super(`CNI plugin ${plugin} ${command} failed${code !== void 0 ? ` (code ${code})` : ""}: ${msg}${details ? ` (${details})` : ""}`);
    this.plugin = plugin;
    this.command = command;
    this.code = code;
    this.msg = msg;
    this.details = details;
    this.stderr = stderr;
    this.name = "CniPluginError";
  }
  plugin;
  command;
  code;
  msg;
  details;
  stderr;
};
function loadNetworkConfig(confDir) {
  let files;
  try {
    files = fs6.readdirSync(confDir).filter((f) => /\.(conflist|conf|json)$/.test(f)).sort();
  } catch (e) {
    throw new Error(`CNI config dir ${confDir} is unreadable: ${e.message}`);
  }
  if (files.length === 0) throw new Error(`no CNI network config (*.conflist, *.conf, *.json) in ${confDir}: was \`tabby cni install\` run?`);
  const source = path4.join(confDir, files[0]);
  let raw;
  try {
    raw = JSON.parse(fs6.readFileSync(source, "utf8"));
  } catch (e) {
    throw new Error(`CNI config ${source} is not valid JSON: ${e.message}`);
  }
  return parseNetworkConfig(raw, source);
}
function parseNetworkConfig(raw, source) {
  if (!raw || typeof raw !== "object") throw new Error(`CNI config ${source}: not a JSON object`);
  if (typeof raw.name !== "string" || raw.name === "") throw new Error(`CNI config ${source}: missing "name"`);
  const isList = Array.isArray(raw.plugins);
  const plugins = isList ? raw.plugins : [raw];
  if (plugins.length === 0) throw new Error(`CNI config ${source}: "plugins" is empty`);
  plugins.forEach((p, i) => {
    if (!p || typeof p.type !== "string" || p.type === "") throw new Error(`CNI config ${source}: plugin ${i} has no "type"`);
    if (/[/\\]/.test(p.type)) throw new Error(`CNI config ${source}: plugin type "${p.type}" must be a bare executable name`);
  });
  return {
    cniVersion: typeof raw.cniVersion === "string" && raw.cniVersion ? raw.cniVersion : "0.2.0",
    name: raw.name,
    plugins: isList ? plugins : [stripListFields(raw)],
    disableCheck: raw.disableCheck === true,
    source
  };
}
function stripListFields(raw) {
  const { name: _n, cniVersion: _v, ...rest } = raw;
  return rest;
}
function pluginConfig(list2, plugin, att, prevResult) {
  const conf = { ...plugin, name: list2.name, cniVersion: list2.cniVersion };
  if (prevResult) conf.prevResult = prevResult;
  if (plugin.capabilities && att.capabilityArgs) {
    const rc = {};
    for (const [cap, on] of Object.entries(plugin.capabilities)) {
      if (on && att.capabilityArgs[cap] !== void 0) rc[cap] = att.capabilityArgs[cap];
    }
    if (Object.keys(rc).length > 0) conf.runtimeConfig = rc;
  }
  if (att.confArgs) conf.args = { ...plugin.args ?? {}, ...att.confArgs };
  return conf;
}
function formatCniArgs(args) {
  return Object.entries(args).map(([k, v]) => {
    if (/[;=]/.test(k) || /;/.test(v)) throw new Error(`CNI_ARGS entry ${k}=${v} may not contain ';' (or '=' in the key)`);
    return `${k}=${v}`;
  }).join(";");
}
var CniRuntime = class {
  constructor(opts) {
    this.opts = opts;
  }
  opts;
  config() {
    return loadNetworkConfig(this.opts.confDir);
  }
  async add(att) {
    const list2 = this.config();
    let prev;
    for (const plugin of list2.plugins) {
      const out3 = await this.invoke(plugin.type, "ADD", pluginConfig(list2, plugin, att, prev), att);
      prev = parseResult(out3, plugin.type);
    }
    const result = prev ?? {};
    this.cacheResult(list2, att, result);
    return result;
  }
  /** Best effort and idempotent, like the spec asks; every plugin is called even when one fails. */
  async del(att) {
    const list2 = this.config();
    const cached = this.cachedResult(list2, att);
    const errors = [];
    for (const plugin of [...list2.plugins].reverse()) {
      try {
        await this.invoke(plugin.type, "DEL", pluginConfig(list2, plugin, att, versionAtLeast(list2.cniVersion, "0.4.0") ? cached : void 0), att);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 0) fs6.rmSync(this.cacheFile(list2, att), { force: true });
    if (errors.length > 0) throw errors[0];
  }
  async check(att) {
    const list2 = this.config();
    if (list2.disableCheck || !versionAtLeast(list2.cniVersion, "0.4.0")) return;
    const cached = this.cachedResult(list2, att);
    if (!cached) throw new Error(`no cached CNI result for container ${att.containerId}: it was never added`);
    for (const plugin of list2.plugins) await this.invoke(plugin.type, "CHECK", pluginConfig(list2, plugin, att, cached), att);
  }
  findPlugin(type) {
    for (const dir of this.opts.binDirs) {
      const p = path4.join(dir, type);
      try {
        fs6.accessSync(p, fs6.constants.X_OK);
        return p;
      } catch {
      }
    }
    throw new Error(`failed to find plugin "${type}" in path [${this.opts.binDirs.join(" ")}]`);
  }
  invoke(type, command, conf, att) {
    const bin = this.findPlugin(type);
    const env = {
      PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      ...this.opts.extraEnv,
      CNI_COMMAND: command,
      CNI_CONTAINERID: att.containerId,
      CNI_NETNS: att.netnsPath,
      CNI_IFNAME: att.ifname,
      CNI_ARGS: formatCniArgs(att.args),
      CNI_PATH: this.opts.binDirs.join(":")
    };
    const argv = this.opts.hostNetns ? ["ip", "netns", "exec", this.opts.hostNetns, bin] : [bin];
    return new Promise((resolve4, reject) => {
      const child = spawn3(argv[0], argv.slice(1), { env, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), this.opts.timeoutMs ?? 12e4);
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(new CniPluginError(type, command, void 0, e.message, void 0, stderr));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve4(stdout);
        let parsed;
        try {
          parsed = JSON.parse(stdout);
        } catch {
        }
        if (parsed && typeof parsed.msg === "string") {
          reject(new CniPluginError(type, command, parsed.code, parsed.msg, parsed.details, stderr));
        } else {
          const why = signal ? `killed by ${signal}` : `exit ${code}`;
          const tail2 = (stderr || stdout).trim().split("\n").slice(-5).join("\n");
          reject(new CniPluginError(type, command, void 0, `${why}${tail2 ? `: ${tail2}` : ""}`, void 0, stderr));
        }
      });
      child.stdin.on("error", () => {
      });
      child.stdin.end(JSON.stringify(conf));
    });
  }
  cacheFile(list2, att) {
    return path4.join(this.opts.cacheDir, `${list2.name}-${att.containerId}-${att.ifname}.json`);
  }
  cacheResult(list2, att, result) {
    fs6.mkdirSync(this.opts.cacheDir, { recursive: true });
    fs6.writeFileSync(this.cacheFile(list2, att), JSON.stringify(result));
  }
  cachedResult(list2, att) {
    try {
      return JSON.parse(fs6.readFileSync(this.cacheFile(list2, att), "utf8"));
    } catch {
      return void 0;
    }
  }
};
function parseResult(stdout, plugin) {
  const text = stdout.trim();
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`CNI plugin ${plugin} printed a result that is not JSON: ${text.slice(0, 200)}`);
  }
}
function versionAtLeast(v, min) {
  const a = v.split(".").map(Number);
  const b2 = min.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b2[i] ?? 0)) return (a[i] ?? 0) > (b2[i] ?? 0);
  }
  return true;
}
function resultIPv4(result) {
  for (const ip of result.ips ?? []) {
    const addr = ip.address.split("/")[0];
    if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) return addr;
  }
  const legacy = result.ip4?.ip;
  return legacy ? legacy.split("/")[0] : void 0;
}

// src/lab/pods.ts
var DNS_LABEL2 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
var SAFE = "bcdfghjklmnpqrstvwxz2456789";
function validateName(what, name, max = 40) {
  if (!DNS_LABEL2.test(name) || name.length > max) {
    throw new Error(`invalid ${what} "${name}": use at most ${max} lower-case letters, digits or '-', starting and ending with a letter or digit`);
  }
}
function parseLabels(items) {
  const set = {};
  const remove = [];
  for (const item of items.flatMap((s2) => s2.split(",")).map((s2) => s2.trim()).filter(Boolean)) {
    if (item.endsWith("-") && !item.includes("=")) {
      remove.push(item.slice(0, -1));
      continue;
    }
    const eq = item.indexOf("=");
    if (eq <= 0) throw new Error(`invalid label "${item}": expected key=value (or key- to remove)`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (!/^([a-zA-Z0-9.-]+\/)?[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/.test(key)) throw new Error(`invalid label key "${key}"`);
    if (!/^([a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?)?$/.test(value)) throw new Error(`invalid label value "${value}" for key "${key}"`);
    set[key] = value;
  }
  return { set, remove };
}
function safeString(bytes, n) {
  let s2 = "";
  for (let i = 0; i < n; i++) s2 += SAFE[bytes[i % bytes.length] % SAFE.length];
  return s2;
}
function templateHash(app, namespace, labels2) {
  const h = createHash4("sha256").update(JSON.stringify([app, namespace, Object.entries(labels2).sort()])).digest();
  return safeString(h, 10);
}
function schedule(nodes, podCounts, replicas) {
  const counts = new Map(nodes.map((n) => [n, podCounts.get(n) ?? 0]));
  const out3 = [];
  for (let i = 0; i < replicas; i++) {
    let best = nodes[0];
    for (const n of nodes) if (counts.get(n) < counts.get(best)) best = n;
    counts.set(best, counts.get(best) + 1);
    out3.push(best);
  }
  return out3;
}
function cniRuntimeFor(state, node) {
  return new CniRuntime({
    confDir: node.cniConfDir,
    // Tabby's plugins first, then the distribution's reference plugins (portmap, bandwidth, …).
    binDirs: [state.cniBinDir, "/opt/cni/bin", "/usr/lib/cni"],
    hostNetns: node.ns,
    cacheDir: path5.join(state.dir, "cni-cache", node.name),
    extraEnv: process.env.TABBY_LOG_LEVEL ? { TABBY_LOG_LEVEL: process.env.TABBY_LOG_LEVEL } : void 0
  });
}
function attachment(pod) {
  return {
    containerId: pod.containerId,
    netnsPath: `/run/netns/${pod.netns}`,
    ifname: "eth0",
    args: {
      K8S_POD_NAMESPACE: pod.namespace,
      K8S_POD_NAME: pod.name,
      K8S_POD_INFRA_CONTAINER_ID: pod.containerId,
      K8S_POD_UID: pod.uid
    },
    // With no Kubernetes API to ask, the pod's labels travel in the netconf: Tabby's `args.tabby` extension
    // and the CNI conventions' `args.cni.labels`.
    confArgs: {
      tabby: { labels: { ...pod.labels }, serviceAccount: "default" },
      cni: { labels: Object.entries(pod.labels).map(([key, value]) => ({ key, value })) }
    }
  };
}
async function runPods(state, opts, say2 = () => {
}) {
  validateName("deployment name", opts.app);
  validateName("namespace", opts.namespace, 63);
  if (!Number.isInteger(opts.replicas) || opts.replicas < 1 || opts.replicas > 1e4) {
    throw new Error(`--replicas must be an integer from 1 to 10000, got ${opts.replicas}`);
  }
  const nodeNames2 = state.nodes.map((n) => n.name);
  if (opts.node && !nodeNames2.includes(opts.node)) throw new Error(`no node "${opts.node}" in lab ${state.name} (nodes: ${nodeNames2.join(", ")})`);
  const warnings = [];
  if (!(opts.namespace in state.k8sNamespaces)) {
    state.k8sNamespaces[opts.namespace] = {};
    try {
      applyResources(state, namespaceResources(opts.namespace, {}));
    } catch (e) {
      warnings.push(`could not write Profile kns.${opts.namespace}: ${e.message}`);
    }
  }
  const labels2 = { app: opts.app, ...opts.labels };
  const hash = templateHash(opts.app, opts.namespace, labels2);
  const counts = /* @__PURE__ */ new Map();
  for (const p of state.pods) counts.set(p.node, (counts.get(p.node) ?? 0) + 1);
  const placement = opts.node ? Array(opts.replicas).fill(opts.node) : schedule(nodeNames2, counts, opts.replicas);
  const taken = new Set(state.pods.map((p) => p.name));
  const pods = placement.map((node) => {
    let name;
    do
      name = `${opts.app}-${hash}-${safeString(randomBytes2(5), 5)}`;
    while (taken.has(name));
    taken.add(name);
    return {
      name,
      namespace: opts.namespace,
      app: opts.app,
      node,
      netns: `${state.name}-${name}`,
      containerId: randomBytes2(32).toString("hex"),
      uid: randomUUID2(),
      labels: { ...labels2, "pod-template-hash": hash },
      status: "ContainerCreating",
      createdAt: (/* @__PURE__ */ new Date()).toISOString()
    };
  });
  state.pods.push(...pods);
  writeState(state);
  const queue = [...pods];
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 4, pods.length) }, async () => {
    for (let pod = queue.shift(); pod; pod = queue.shift()) await startPod(state, pod);
  });
  await Promise.all(workers);
  writeState(state);
  const failed = pods.filter((p) => p.status === "Failed");
  for (const p of failed) warnings.push(`pod ${p.name} on ${p.node}: ${p.error}`);
  const ok = pods.filter((p) => p.status === "Running");
  say2(`${ok.length}/${pods.length} pod(s) running`);
  if (ok.length > 0) {
    try {
      warnings.push(...syncWorkloadEndpoints(state, ok));
    } catch (e) {
      warnings.push(`could not check the pods' WorkloadEndpoints: ${e.message}`);
    }
  }
  return { pods, warnings };
}
async function startPod(state, pod) {
  const node = state.nodes.find((n) => n.name === pod.node);
  const rt = cniRuntimeFor(state, node);
  try {
    addNetns(pod.netns);
    const result = await rt.add(attachment(pod));
    pod.ip = resultIPv4(result);
    if (!pod.ip) throw new Error(`CNI ADD returned no IPv4 address: ${JSON.stringify(result)}`);
    pod.status = "Running";
  } catch (e) {
    pod.status = "Failed";
    pod.error = e.message;
    try {
      await rt.del(attachment(pod));
    } catch {
    }
  }
  writeState(state);
}
function syncWorkloadEndpoints(state, pods) {
  const weps = listResources(state, "workloadendpoints", true);
  const warnings = [];
  const updates = [];
  for (const pod of pods) {
    const wep = weps.find((w) => w.metadata.namespace === pod.namespace && w.spec?.pod === pod.name);
    if (!wep) {
      warnings.push(`pod ${pod.name} has no WorkloadEndpoint in the datastore (the CNI plugin writes it at ADD)`);
      continue;
    }
    const want = workloadLabels(pod.namespace, pod.labels, wep.metadata.labels ?? {});
    if (!sameLabels(want, wep.metadata.labels ?? {})) {
      updates.push({ ...wep, metadata: { ...wep.metadata, labels: want } });
    }
  }
  applyResources(state, updates);
  return warnings;
}
function sameLabels(a, b2) {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b2).length && ka.every((k) => b2[k] === a[k]);
}
async function deletePods(state, name, say2 = () => {
}) {
  const pods = state.pods.filter((p) => p.name === name || p.app === name);
  if (pods.length === 0) throw new Error(`no pod or deployment named "${name}" in lab ${state.name}`);
  const errors = [];
  for (const pod of pods) {
    const node = state.nodes.find((n) => n.name === pod.node);
    try {
      await cniRuntimeFor(state, node).del(attachment(pod));
    } catch (e) {
      if (pod.status === "Running") {
        errors.push(`pod ${pod.name}: CNI DEL failed, pod kept: ${e.message}`);
        continue;
      }
    }
    delNetns(pod.netns);
    state.pods = state.pods.filter((p) => p !== pod);
    writeState(state);
    say2(`pod "${pod.name}" deleted`);
  }
  return errors;
}
function relabelPod(state, podName, items) {
  const pod = state.pods.find((p) => p.name === podName);
  if (!pod) throw new Error(`no pod named "${podName}" in lab ${state.name}`);
  const { set, remove } = parseLabels(items);
  if (Object.keys(set).length === 0 && remove.length === 0) throw new Error("no labels given (k=v to set, k- to remove)");
  for (const k of remove) delete pod.labels[k];
  Object.assign(pod.labels, set);
  writeState(state);
  if (pod.status === "Running") {
    const warnings = syncWorkloadEndpoints(state, [pod]);
    if (warnings.length > 0) throw new Error(warnings.join("; "));
  }
  return pod;
}
function setNamespace(state, ns, items) {
  validateName("namespace", ns, 63);
  const { set, remove } = parseLabels(items);
  const labels2 = { ...state.k8sNamespaces[ns] ?? {} };
  for (const k of remove) delete labels2[k];
  Object.assign(labels2, set);
  applyResources(state, [namespaceProfile(ns, labels2)]);
  state.k8sNamespaces[ns] = labels2;
  writeState(state);
  return labels2;
}
function formatAge(ms) {
  const s2 = Math.max(0, Math.floor(ms / 1e3));
  if (s2 < 120) return `${s2}s`;
  const m = Math.floor(s2 / 60);
  if (m < 10) return `${m}m${s2 % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60}m` : `${Math.floor(h / 24)}d`;
}
function formatPods(state, opts = {}) {
  const ns = opts.namespace ?? "default";
  const pods = state.pods.filter((p) => opts.allNamespaces || p.namespace === ns);
  if (pods.length === 0) return opts.allNamespaces ? "No resources found\n" : `No resources found in ${ns} namespace.
`;
  const header = [
    ...opts.allNamespaces ? ["NAMESPACE"] : [],
    "NAME",
    "READY",
    "STATUS",
    "RESTARTS",
    "AGE",
    ...opts.wide ? ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] : []
  ];
  const now = Date.now();
  const rows = pods.map((p) => [
    ...opts.allNamespaces ? [p.namespace] : [],
    p.name,
    p.status === "Running" ? "1/1" : "0/1",
    p.status === "Failed" ? "Error" : p.status,
    "0",
    formatAge(now - Date.parse(p.createdAt)),
    ...opts.wide ? [p.ip ?? "<none>", p.node, "<none>", "<none>"] : []
  ]);
  return table([header, ...rows]);
}
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i] + 3)).join("").trimEnd()).join("\n") + "\n";
}

// src/lab/check.ts
import { spawn as spawn4 } from "node:child_process";
var PING_ALL = 'for ip in "$@"; do ( if ping -c1 -W2 -q "$ip" >/dev/null 2>&1 || ping -c1 -W2 -q "$ip" >/dev/null 2>&1; then echo "ok $ip"; else echo "fail $ip"; fi ) & done; wait';
function pingFrom(pod, targets) {
  return new Promise((resolve4, reject) => {
    const child = spawn4("ip", ["netns", "exec", pod.netns, "sh", "-c", PING_ALL, "sh", ...targets], { stdio: ["ignore", "pipe", "pipe"] });
    let out3 = "";
    let err2 = "";
    child.stdout.on("data", (d) => {
      out3 += d;
    });
    child.stderr.on("data", (d) => {
      err2 += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`pinging from ${pod.name} failed (exit ${code}): ${err2.trim()}`));
      const m = /* @__PURE__ */ new Map();
      for (const line of out3.split("\n")) {
        const [verdict, ip] = line.trim().split(" ");
        if (ip) m.set(ip, verdict === "ok");
      }
      resolve4(m);
    });
  });
}
async function checkReachability(state, opts = {}) {
  const t0 = Date.now();
  const pods = state.pods.filter((p) => p.status === "Running" && p.ip);
  const failures = [];
  let pairs = 0;
  const queue = pods.map((p, i) => ({ p, i }));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const others = pods.filter((q) => q !== job.p);
      let targets = others;
      if (opts.sample && opts.sample < others.length) {
        const step = others.length / opts.sample;
        targets = Array.from({ length: opts.sample }, (_, k) => others[(Math.floor(k * step) + job.i) % others.length]);
      }
      const res = await pingFrom(job.p, targets.map((t) => t.ip));
      for (const t of targets) {
        pairs++;
        if (!res.get(t.ip)) failures.push({ from: job.p.name, to: t.name, toIp: t.ip, ok: false });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, Math.max(1, pods.length)) }, worker));
  return { pods: pods.length, pairs, failures, ms: Date.now() - t0 };
}

// src/lab/demo.ts
var import_yaml5 = __toESM(require_dist(), 1);
import * as fs7 from "node:fs";
var StepFailed = class extends Error {
  constructor(step, expected, got) {
    super(`step "${step}": expected ${expected}`);
    this.step = step;
    this.expected = expected;
    this.got = got;
  }
  step;
  expected;
  got;
};
var indent = (s2) => s2.trimEnd().split("\n").map((l) => `    ${l}`).join("\n");
function onNode(state, node, argv, input) {
  const env = nodeShellEnv(state, node);
  const cmd = argv[0] === "tabby" ? [tabbyBin(), ...argv.slice(1)] : argv;
  return execIn2(node.ns, ["env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd], { input });
}
function inPod(pod, argv) {
  return execIn2(pod.netns, argv);
}
function errText(e) {
  if (e instanceof CommandError2) return (e.stderr || e.stdout || e.message).trim();
  return e instanceof Error ? e.message : String(e);
}
function must(step, what, fn) {
  try {
    return fn();
  } catch (e) {
    throw new StepFailed(step, `\`${what}\` to succeed`, errText(e));
  }
}
async function eventually(ctx, step, expected, probe, ok) {
  const deadline = Date.now() + (ctx.opts.convergeMs ?? 45e3);
  let last = "";
  for (; ; ) {
    try {
      last = probe();
      if (ok(last)) return last;
    } catch (e) {
      last = errText(e);
    }
    if (Date.now() > deadline) throw new StepFailed(step, expected, last);
    await sleep(1e3);
  }
}
function say(ctx, title) {
  ctx.stepNo++;
  ctx.opts.out(`
== ${ctx.stepNo}. ${title}`);
}
function shown(ctx, where, command, output) {
  ctx.opts.out(`${where} $ ${command}`);
  if (output.trim()) ctx.opts.out(indent(output));
}
function check(ctx, what) {
  ctx.opts.out(`  \u2713 ${what}`);
}
function ipInCidr(ip, cidr2) {
  const [net, lenS] = cidr2.split("/");
  const len = Number(lenS ?? 32);
  const toInt = (a) => a.split(".").reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  const mask = len === 0 ? 0 : ~0 << 32 - len >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(net) & mask) >>> 0;
}
function blockRoute(routes, ip, re) {
  for (const line of routes.split("\n")) {
    const m = re.exec(line.trim());
    if (m && m[1] && ipInCidr(ip, m[1])) return line.trim();
  }
  return void 0;
}
async function upCluster(ctx, mode) {
  const { opts } = ctx;
  say(ctx, `a 2-node cluster in ${mode.toUpperCase()} mode: controlplane and node01 on the fabric, calico-node (\`tabby node run\`) on each`);
  opts.out(`$ tabby lab up --name ${opts.name} --nodes 2 --mode ${mode}`);
  const { state, warnings } = await labUp({ name: opts.name, nodes: 2, mode, datastore: "embedded", subnets: 1, podCidr: POD_CIDR }, (l) => opts.out(indent(l)));
  ctx.state = state;
  if (warnings.length > 0) throw new StepFailed("cluster up", "node agents running and the CNI plugin installed on both nodes", warnings.join("\n"));
  for (const n of state.nodes) check(ctx, `${n.name} ${n.ip} on ${NODE_INTERFACE}, agent PID ${n.pid}`);
  return state;
}
async function deploy(ctx, state) {
  say(ctx, "a busybox deployment with 2 replicas, tolerating the master taint: one pod per node");
  ctx.opts.out("$ kubectl apply -f busybox.yaml   # tabby lab run busybox-deployment --replicas 2");
  const r = await runPods(state, { app: "busybox-deployment", replicas: 2, namespace: "default", labels: {} });
  for (const w of r.warnings) ctx.opts.out(`    warning: ${w}`);
  const failed = r.pods.filter((p) => p.status !== "Running");
  if (failed.length > 0) throw new StepFailed("deployment", "both pods networked by the CNI plugin", failed.map((p) => `${p.name}: ${p.error}`).join("\n"));
  const cp = r.pods.find((p) => p.node === "controlplane");
  const n1 = r.pods.find((p) => p.node === "node01");
  if (!cp || !n1) throw new StepFailed("deployment", "one pod on controlplane and one on node01", r.pods.map((p) => `${p.name} on ${p.node}`).join("\n"));
  shown(ctx, "master", "kubectl get pods -o wide", [
    "NAME".padEnd(40) + "READY   STATUS    IP".padEnd(34) + "NODE",
    ...r.pods.map((p) => p.name.padEnd(40) + `1/1     Running   ${p.ip}`.padEnd(34) + p.node)
  ].join("\n"));
  check(ctx, `${cp.name} ${cp.ip} on controlplane, ${n1.name} ${n1.ip} on node01`);
  return [cp, n1];
}
async function showWorkloadEndpoints(ctx, state, pods) {
  const cp = state.nodes[0];
  say(ctx, "the pods' WorkloadEndpoints, as calicoctl lists them");
  const out3 = await eventually(
    ctx,
    "get workloadendpoints",
    `a row per pod with its IP/32 and a cali interface`,
    () => onNode(state, cp, ["tabby", "get", "workloadendpoints"]),
    (o) => pods.every((p) => new RegExp(`${p.name}\\s+${p.node}\\s+${p.ip.replace(/\./g, "\\.")}/32\\s+cali[0-9a-f]{11}`).test(o))
  );
  shown(ctx, "master", "tabby get workloadendpoints", out3);
  const ifaces = /* @__PURE__ */ new Map();
  for (const p of pods) {
    const m = new RegExp(`${p.name}\\s+\\S+\\s+\\S+\\s+(cali[0-9a-f]{11})`).exec(out3);
    ifaces.set(p.name, m[1]);
  }
  check(ctx, pods.map((p) => `${p.name.split("-").pop()} \u2192 ${ifaces.get(p.name)}`).join(", "));
  return ifaces;
}
async function bgpStatus(ctx, state) {
  const [cp, n1] = state.nodes;
  say(ctx, "BGP: node01 is controlplane's node-to-node mesh peer, Established");
  const peer = n1.ip.replace(/\./g, "\\.");
  const out3 = await eventually(
    ctx,
    "node status",
    `a row "| ${n1.ip} | node-to-node mesh | up | \u2026 | Established |"`,
    () => onNode(state, cp, ["tabby", "node", "status"]),
    (o) => new RegExp(`${peer}\\s*\\|\\s*node-to-node mesh\\s*\\|\\s*up\\s*\\|[^\\n]*Established`).test(o)
  );
  shown(ctx, "master", "tabby node status", out3);
  check(ctx, "mesh peer Established");
}
async function podRouteAndArp(ctx, state, pod, remote, cali) {
  const cp = state.nodes[0];
  say(ctx, "inside the pod: a default route via 169.254.1.1, an address nobody has");
  const routes = must("pod ip route", "ip route", () => inPod(pod, ["ip", "route"]));
  shown(ctx, `kubectl exec ${pod.name} --`, "ip route", routes);
  if (!/^default via 169\.254\.1\.1 dev eth0/m.test(routes) || !/^169\.254\.1\.1 dev eth0 scope link/m.test(routes)) {
    throw new StepFailed("pod ip route", '"default via 169.254.1.1 dev eth0" and "169.254.1.1 dev eth0 scope link"', routes);
  }
  check(ctx, "default via 169.254.1.1 dev eth0; 169.254.1.1 dev eth0 scope link");
  say(ctx, `ping across nodes (${pod.ip} on controlplane \u2192 ${remote.ip} on node01), then the pod's ARP table`);
  const before = must("arp", "arp", () => inPod(pod, ["busybox", "arp", "-n"]));
  shown(ctx, `kubectl exec ${pod.name} --`, "arp", before);
  const ping = await eventually(
    ctx,
    "ping across nodes",
    `ping ${remote.ip} from ${pod.name} to get a reply`,
    () => inPod(pod, ["ping", "-c", "1", "-W", "2", remote.ip]),
    (o) => /1 received/.test(o)
  );
  shown(ctx, `kubectl exec ${pod.name} --`, `ping ${remote.ip} -c 1`, ping);
  check(ctx, "reply received");
  const arp = must("arp", "arp", () => inPod(pod, ["busybox", "arp", "-n"]));
  shown(ctx, `kubectl exec ${pod.name} --`, "arp", arp);
  if (!/\(169\.254\.1\.1\) at ee:ee:ee:ee:ee:ee/i.test(arp)) {
    throw new StepFailed("arp", '"? (169.254.1.1) at ee:ee:ee:ee:ee:ee [ether] on eth0"', arp);
  }
  check(ctx, "169.254.1.1 at ee:ee:ee:ee:ee:ee: the host side of the veth answered");
  say(ctx, `proxy ARP on the host side of the veth (${cali})`);
  const pa = must("proxy_arp", "cat proxy_arp", () => execIn2(cp.ns, ["cat", `/proc/sys/net/ipv4/conf/${cali}/proxy_arp`]));
  shown(ctx, "master", `cat /proc/sys/net/ipv4/conf/${cali}/proxy_arp`, pa);
  if (pa.trim() !== "1") throw new StepFailed("proxy_arp", "1", pa);
  const link = must("host veth", "ip link show", () => execIn2(cp.ns, ["ip", "link", "show", cali]));
  shown(ctx, "master", `ip link show ${cali}`, link);
  if (!/link\/ether ee:ee:ee:ee:ee:ee/.test(link)) throw new StepFailed("host veth", `${cali} with MAC ee:ee:ee:ee:ee:ee`, link);
  check(ctx, "proxy_arp = 1, MAC ee:ee:ee:ee:ee:ee");
}
async function nodeRoutes(ctx, state, local, remote, remoteRoute, expected, title) {
  const cp = state.nodes[0];
  say(ctx, title);
  let line = "";
  const out3 = await eventually(
    ctx,
    "node routes",
    expected,
    () => execIn2(cp.ns, ["ip", "route"]),
    (o) => {
      const bh = blockRoute(o, local.ip, /^blackhole (\S+) proto bird/);
      const r = blockRoute(o, remote.ip, remoteRoute);
      line = r ?? "";
      return !!r && (state.mode === "vxlan" || !!bh);
    }
  );
  shown(ctx, "master", "ip route", out3);
  check(ctx, line);
  return out3;
}
async function disableIpip(ctx, state, local, remote) {
  const cp = state.nodes[0];
  say(ctx, "disable IP-IP: set the pool's ipipMode to Never and apply it");
  const yaml = must("get ippool", "tabby get ippool default-ipv4-ippool -o yaml", () => onNode(state, cp, ["tabby", "get", "ippool", "default-ipv4-ippool", "-o", "yaml"]));
  shown(ctx, "master", "tabby get ippool default-ipv4-ippool -o yaml > ippool.yaml", "");
  const doc = import_yaml5.default.parse(yaml);
  if (!doc?.spec) throw new StepFailed("get ippool", "the IPPool default-ipv4-ippool", yaml);
  doc.spec.ipipMode = "Never";
  const applied = must("apply ippool", "tabby apply -f ippool.yaml", () => onNode(state, cp, ["tabby", "apply", "-f", "-"], import_yaml5.default.stringify(doc)));
  shown(ctx, "master", "tabby apply -f ippool.yaml   # ipipMode: Never", applied);
  check(ctx, "applied");
  const n1 = state.nodes[1];
  await nodeRoutes(
    ctx,
    state,
    local,
    remote,
    new RegExp(`^(\\S+) via ${n1.ip.replace(/\./g, "\\.")} dev ${NODE_INTERFACE} proto bird$`),
    `the remote block "via ${n1.ip} dev ${NODE_INTERFACE} proto bird" (no tunl0, no onlink)`,
    "the route to node01's block now leaves by the fabric interface, unencapsulated"
  );
  say(ctx, "ping across nodes without encapsulation");
  const ping = await eventually(
    ctx,
    "ping unencapsulated",
    `a reply from ${remote.ip}`,
    () => inPod(local, ["ping", "-c", "1", "-W", "2", remote.ip]),
    (o) => /1 received/.test(o)
  );
  shown(ctx, `kubectl exec ${local.name} --`, `ping ${remote.ip} -c 1`, ping);
  check(ctx, "reply received");
}
async function runDemo(opts) {
  const ctx = { opts, stepNo: 0 };
  const o = opts.out;
  o(`Life of a Packet in Kubernetes \u2014 Calico, on this machine (lab "${opts.name}": nodes and pods are network namespaces)`);
  await labDown(opts.name);
  try {
    let state = await upCluster(ctx, "ipip");
    say(ctx, "no pods yet: no workload endpoints");
    shown(ctx, "master", "tabby get workloadendpoints", must("get workloadendpoints", "tabby get workloadendpoints", () => onNode(state, state.nodes[0], ["tabby", "get", "workloadendpoints"])));
    await bgpStatus(ctx, state);
    let [local, remote] = await deploy(ctx, state);
    let ifaces = await showWorkloadEndpoints(ctx, state, [local, remote]);
    const n1 = state.nodes[1];
    await nodeRoutes(
      ctx,
      state,
      local,
      remote,
      new RegExp(`^(\\S+) via ${n1.ip.replace(/\./g, "\\.")} dev tunl0 proto bird onlink`),
      `"blackhole <own block> proto bird" and "<node01's block> via ${n1.ip} dev tunl0 proto bird onlink"`,
      "controlplane's routes: a blackhole for its own block, node01's block through tunl0"
    );
    await podRouteAndArp(ctx, state, local, remote, ifaces.get(local.name));
    await disableIpip(ctx, state, local, remote);
    o(`
$ tabby lab down --name ${opts.name}`);
    await labDown(opts.name, (l) => o(indent(l)));
    o('\n-- Demo \u2014 VXLAN: re-initiate the cluster with calico_backend "vxlan" (no BGP) and a VXLAN pool');
    state = await upCluster(ctx, "vxlan");
    [local, remote] = await deploy(ctx, state);
    ifaces = await showWorkloadEndpoints(ctx, state, [local, remote]);
    await nodeRoutes(
      ctx,
      state,
      local,
      remote,
      /^(\S+) via \S+ dev vxlan\.calico (?:proto \S+ )?onlink/,
      `"<node01's block> via <node01's VTEP address> dev vxlan.calico onlink"`,
      "controlplane's routes: node01's block via its VTEP on vxlan.calico"
    );
    const vx = must("vxlan.calico", "ip -d addr show vxlan.calico", () => execIn2(state.nodes[0].ns, ["ip", "-d", "addr", "show", "vxlan.calico"]));
    shown(ctx, "master", "ip -d addr show vxlan.calico", vx);
    if (!/vxlan id \d+/.test(vx) || !/dstport 4789/.test(vx)) throw new StepFailed("vxlan.calico", "a VXLAN device on UDP port 4789", vx);
    check(ctx, "VXLAN device, UDP 4789");
    await podRouteAndArp(ctx, state, local, remote, ifaces.get(local.name));
    say(ctx, "the internet (the lab's external host 8.8.8.8): needs the pool's natOutgoing \u2014 shown, not required");
    try {
      const ext = inPod(local, ["ping", "-c", "1", "-W", "2", "8.8.8.8"]);
      shown(ctx, `kubectl exec ${local.name} --`, "ping 8.8.8.8 -c 1", ext);
      check(ctx, "reply from 8.8.8.8");
    } catch (e) {
      shown(ctx, `kubectl exec ${local.name} --`, "ping 8.8.8.8 -c 1", errText(e));
      o("  - no reply (the node did not masquerade the pod's address: natOutgoing not in effect)");
    }
    o("\nThe demo showed everything the article shows.");
    if (opts.keep) o(`The VXLAN lab is still up: tabby lab pods --name ${opts.name} -o wide; tabby lab down --name ${opts.name}`);
    else await labDown(opts.name, (l) => o(indent(l)));
    return true;
  } catch (e) {
    if (e instanceof StepFailed) {
      o(`
  \u2717 FAILED at "${e.step}": expected ${e.expected}`);
      o(`    got:
${indent(e.got || "(nothing)")}`);
    } else {
      o(`
  \u2717 FAILED: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (ctx.state) {
      for (const n of ctx.state.nodes) {
        let tailLines = "(no log)";
        try {
          tailLines = fs7.readFileSync(n.logFile, "utf8").trim().split("\n").slice(-6).join("\n") || "(empty)";
        } catch {
        }
        o(`    ${n.name} agent log (${n.logFile}), last lines:
${indent(indent(tailLines))}`);
      }
    }
    if (opts.keep) o(`The lab is left up for inspection: tabby lab down --name ${opts.name}`);
    else await labDown(opts.name, (l) => o(indent(l)));
    return false;
  }
}

// src/ctl/lab.ts
var DEFAULT_LAB = "tabby";
function labName(opts) {
  return opts.name ?? process.env.TABBY_LAB ?? DEFAULT_LAB;
}
var out2 = (s2) => process.stdout.write(s2.endsWith("\n") ? s2 : s2 + "\n");
var warn = (s2) => process.stderr.write(`warning: ${s2}
`);
function intOption(v, what) {
  if (!/^\d+$/.test(v)) throw new CliError(`${what} must be a positive integer, got "${v}"`, EXIT_USAGE);
  return Number(v);
}
async function withLab(name, fn) {
  mustState(name);
  return withLabLock(name, async () => fn(mustState(name)));
}
function registerLabCommands(program2) {
  const lab = program2.command("lab").description("a multi-node cluster on this machine (network namespaces), and the article's demo");
  const nameOpt = (c) => c.option("--name <lab>", `lab name (default $TABBY_LAB or "${DEFAULT_LAB}")`);
  nameOpt(lab.command("up").description("create the fabric, nodes, router and external host; start `tabby node run` on every node")).option("--nodes <n>", "number of nodes (controlplane, node01, \u2026)", "2").option("--mode <mode>", `routing mode: ${LAB_MODES.join("|")}`, "ipip").option("--datastore <type>", "embedded|etcd", "embedded").option("--subnets <n>", "1 or 2 (two subnets joined by the router)", "1").option("--pod-cidr <cidr>", "the default IP pool", POD_CIDR).action(async (o) => {
    const mode = o.mode;
    if (!LAB_MODES.includes(mode)) throw new CliError(`--mode must be one of ${LAB_MODES.join("|")}, got "${o.mode}"`, EXIT_USAGE);
    if (o.datastore !== "embedded" && o.datastore !== "etcd") throw new CliError(`--datastore must be embedded or etcd, got "${o.datastore}"`, EXIT_USAGE);
    const subnets = intOption(o.subnets, "--subnets");
    if (subnets !== 1 && subnets !== 2) throw new CliError(`--subnets must be 1 or 2, got ${subnets}`, EXIT_USAGE);
    const name = labName(o);
    const t0 = Date.now();
    const { state, warnings } = await labUp({
      name,
      nodes: intOption(o.nodes, "--nodes"),
      mode,
      datastore: o.datastore,
      subnets,
      podCidr: o.podCidr
    }, out2);
    for (const w of warnings) warn(w);
    out2(`lab ${name} is up in ${((Date.now() - t0) / 1e3).toFixed(1)} s: ${state.nodes.length} node(s), mode ${state.mode}, datastore ${state.datastore}`);
    out2(table([["NODE", "IP", "NAMESPACE", "AGENT"], ...nodeRows(state).map((r) => [r.name, r.ip, r.ns, r.agent])]));
  });
  nameOpt(lab.command("down").description("stop every process and remove every namespace the lab made (also after a crash)")).action(async (o) => {
    const name = labName(o);
    if (!await labDown(name, out2)) out2(`no lab named ${name}: nothing to do`);
  });
  nameOpt(lab.command("status").description("the lab, its nodes and agents")).action(async (o) => {
    const names = o.name || process.env.TABBY_LAB ? [labName(o)] : listLabs();
    if (names.length === 0) {
      out2("no labs");
      return;
    }
    for (const name of names) {
      const s2 = readState(name);
      if (!s2) throw new CliError(`no lab named "${name}"`, EXIT_FAILED);
      out2(`lab ${s2.name}: ${s2.phase === "up" ? "up" : "INCOMPLETE (run `tabby lab down`)"}, mode ${s2.mode}, datastore ${s2.datastore}${s2.etcd ? ` (${s2.etcd.endpoint})` : ""}, ${s2.subnets} subnet(s), pool ${s2.podCidr}, ${s2.pods.length} pod(s), since ${s2.createdAt}`);
      out2(table([["NODE", "IP", "NAMESPACE", "AGENT", "PODS"], ...nodeRows(s2).map((r) => [r.name, r.ip, r.ns, r.agent, String(s2.pods.filter((p) => p.node === r.name).length)])]));
    }
  });
  nameOpt(lab.command("run <name>").description("create a deployment's pods (namespaces) and network them through the CNI plugin")).option("--replicas <n>", "number of pods", "1").option("--node <node>", "put every pod on this node (default: spread over the nodes)").option("-n, --namespace <ns>", "Kubernetes namespace", "default").option("--labels <k=v,\u2026>", "pod labels (app=<name> is always set)").option("--concurrency <n>", "CNI ADDs in flight", "4").action(async (app, o) => {
    const labels2 = o.labels ? parseLabels([o.labels]) : { set: {}, remove: [] };
    if (labels2.remove.length > 0) throw new CliError("--labels takes k=v pairs only", EXIT_USAGE);
    await withLab(labName(o), async (state) => {
      const r = await runPods(state, {
        app,
        replicas: intOption(o.replicas, "--replicas"),
        node: o.node,
        namespace: o.namespace,
        labels: labels2.set,
        concurrency: intOption(o.concurrency, "--concurrency")
      });
      for (const w of r.warnings) warn(w);
      const failed = r.pods.filter((p) => p.status !== "Running");
      out2(`deployment.apps/${app} created: ${r.pods.length - failed.length}/${r.pods.length} pod(s) running`);
      if (failed.length > 0) throw new CliError(`${failed.length} pod(s) failed to start: ${failed[0].error}`, EXIT_FAILED);
    });
  });
  nameOpt(lab.command("pods").description("list pods like `kubectl get pods`")).option("-o, --output <fmt>", "wide").option("-n, --namespace <ns>", "Kubernetes namespace", "default").option("-A, --all-namespaces", "pods of every namespace").action(async (o) => {
    if (o.output && o.output !== "wide") throw new CliError(`-o must be "wide", got "${o.output}"`, EXIT_USAGE);
    out2(formatPods(mustState(labName(o)), { wide: o.output === "wide", namespace: o.namespace, allNamespaces: o.allNamespaces }).trimEnd());
  });
  nameOpt(lab.command("exec <pod> <command...>").description("run a command in a pod: tabby lab exec POD -- CMD\u2026")).allowUnknownOption().action(async (podName, cmd, o) => {
    const state = mustState(labName(o));
    const pod = state.pods.find((p) => p.name === podName);
    if (!pod) throw new CliError(`no pod named "${podName}" in lab ${state.name}`, EXIT_FAILED);
    process.exitCode = passthrough(["ip", "netns", "exec", pod.netns, ...cmd], process.env);
  });
  nameOpt(lab.command("exec-node <node> <command...>").description("run a command on a node (tabby there talks to the lab's datastore)")).allowUnknownOption().action(async (nodeName, cmd, o) => {
    const state = mustState(labName(o));
    const node = state.nodes.find((n) => n.name === nodeName);
    if (!node) throw new CliError(`no node "${nodeName}" in lab ${state.name} (nodes: ${state.nodes.map((n) => n.name).join(", ")})`, EXIT_FAILED);
    process.exitCode = passthrough(["ip", "netns", "exec", node.ns, ...cmd], { ...process.env, ...nodeShellEnv(state, node) });
  });
  nameOpt(lab.command("delete <name>").description("delete a pod, or every pod of a deployment (CNI DEL, then the namespace)")).action(async (name, o) => {
    await withLab(labName(o), async (state) => {
      const errors = await deletePods(state, name, out2);
      if (errors.length > 0) throw new CliError(errors.join("\n"), EXIT_FAILED);
    });
  });
  nameOpt(lab.command("label <pod> <labels...>").description("relabel a pod (k=v sets, k- removes); its WorkloadEndpoint follows")).action(async (podName, items, o) => {
    await withLab(labName(o), async (state) => {
      const pod = relabelPod(state, podName, items);
      out2(`pod/${pod.name} labeled: ${Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(",")}`);
    });
  });
  nameOpt(lab.command("ns <name>").description("create or relabel a Kubernetes namespace (Profile kns.<name>)")).option("--labels <k=v,\u2026>", "namespace labels (k- removes)").action(async (ns, o) => {
    await withLab(labName(o), async (state) => {
      const labels2 = setNamespace(state, ns, o.labels ? [o.labels] : []);
      out2(`namespace/${ns} configured: ${Object.entries(labels2).map(([k, v]) => `${k}=${v}`).join(",") || "(no labels)"}`);
    });
  });
  nameOpt(lab.command("check").description("ping from every pod to every other pod; non-zero exit when any pair fails")).option("--sample <k>", "each pod pings only k others").action(async (o) => {
    const state = mustState(labName(o));
    const r = await checkReachability(state, { sample: o.sample ? intOption(o.sample, "--sample") : void 0 });
    for (const f of r.failures.slice(0, 20)) out2(`FAIL ${f.from} -> ${f.to} (${f.toIp})`);
    out2(`${r.pods} pod(s), ${r.pairs} pair(s): ${r.pairs - r.failures.length} reachable, ${r.failures.length} not (${(r.ms / 1e3).toFixed(1)} s)`);
    if (r.pods < 2) throw new CliError("fewer than two running pods: nothing to check", EXIT_FAILED);
    if (r.failures.length > 0) throw new CliError(`${r.failures.length} pair(s) unreachable`, EXIT_FAILED);
  });
  nameOpt(lab.command("demo").description("the article's demo, end to end, narrated and checked (IPIP, no-encap, then VXLAN)")).option("--keep", "leave the last lab up at the end").action(async (o) => {
    const ok = await runDemo({ name: o.name ?? process.env.TABBY_LAB ?? "demo", keep: !!o.keep, out: out2 });
    if (!ok) throw new CliError("demo stopped: a step did not show what the article shows", EXIT_FAILED);
  });
}
function passthrough(argv, env) {
  const r = spawnSync2(argv[0], argv.slice(1), { stdio: "inherit", env });
  if (r.error) throw new CliError(`${argv.join(" ")}: ${r.error.message}`, EXIT_FAILED);
  if (r.signal) return 128 + ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[r.signal] ?? 1);
  return r.status ?? EXIT_FAILED;
}

// src/ctl/main.ts
function buildProgram() {
  const program2 = new Command("tabby").description("Kubernetes pod networking, Calico-compatible (calicoctl role)").option("-c, --config <file>", "client config file (CalicoAPIConfig YAML)").option("-l, --log-level <level>", "log level", "panic").showHelpAfterError().exitOverride();
  registerResourceCommands(program2);
  registerIpamCommands(program2);
  registerNodeCommands(program2);
  registerCniCommands(program2);
  registerLabCommands(program2);
  return program2;
}
async function main(argv) {
  const program2 = buildProgram();
  try {
    await program2.parseAsync(argv, { from: "user" });
    return process.exitCode === void 0 ? 0 : Number(process.exitCode);
  } catch (err2) {
    const code = exitCodeFor(err2);
    const msg = formatError(err2);
    if (msg) process.stderr.write(msg.endsWith("\n") ? msg : msg + "\n");
    return code;
  }
}
var isEntry = process.argv[1] && /(?:main\.ts|tabby\.mjs)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
export {
  buildProgram,
  main
};
