/**
 * What can keep `npm start` from starting that the user can fix: each message says what is wrong and
 * how to fix it, and start.ts prints it as it is, without a stack trace.
 */
export class LocalSetupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A port variable whose value is not a port number. */
export class InvalidPortError extends LocalSetupError {
  constructor(variable: string, value: string) {
    super(`${variable}=${value} is not a port number; set ${variable} to a port from 1 to 65535, or to 0 for any free one.`);
  }
}

/** Two port variables with the same port. */
export class SharedPortError extends LocalSetupError {
  constructor(variables: readonly string[], port: number) {
    super(`${variables.join(' and ')} are all ${port}; give each of them a port of its own.`);
  }
}

/** A port that another process listens on. */
export class PortInUseError extends LocalSetupError {
  readonly variable: string;
  readonly port: number;

  constructor(variable: string, port: number) {
    super(`${variable}=${port} is in use by another process; set ${variable} to a free port`);
    this.variable = variable;
    this.port = port;
  }
}

/** Another `npm start` holds the same ASSENT_HOME. */
export class StackAlreadyRunningError extends LocalSetupError {
  constructor(home: string, pid: number) {
    super(
      `Another Assent stack (pid ${pid}) is already running on ${home}. Stop it first (Ctrl+C in its terminal, or kill ${pid}), or start this one with ASSENT_HOME set to another directory and other ports.`,
    );
  }
}

/** No Java to run DynamoDB Local with (or one older than 17). */
export class JavaNotFoundError extends LocalSetupError {
  constructor(command: string, found?: string) {
    super(
      `${found ? `${command} is ${found}, but` : `Java was not found (${command} could not be run):`} DynamoDB Local, AWS's jar that keeps the local tables, needs Java 17 or newer. Install it, on Debian or Ubuntu with \`apt-get install -y openjdk-17-jre-headless\`, on macOS with \`brew install openjdk@17\`, or from https://adoptium.net; or set ASSENT_JAVA to the java binary of a Java 17+ already installed. Then run npm start again.`,
    );
  }
}
