/** A small user and project directory standing in for an identity service (Keystone in Adjutant). */
export interface DirectoryUser {
  readonly email: string;
  readonly projectId?: string;
  readonly roles: readonly string[];
  readonly enabled: boolean;
  /** scrypt hash in PHC-like form; absent until a password is set. */
  readonly passwordHash?: string;
  readonly createdAt: string;
}

export interface DirectoryProject {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface UserDirectory {
  findUser(email: string): Promise<DirectoryUser | undefined>;
  /** Creates the user if absent; returns false (and changes nothing) if it already exists. */
  createUser(user: DirectoryUser): Promise<boolean>;
  setPassword(email: string, passwordHash: string): Promise<void>;
  enableUser(email: string): Promise<void>;
  findProjectByName(name: string): Promise<DirectoryProject | undefined>;
  /** Creates the project if its name is free; returns false if the name is taken. */
  createProject(project: DirectoryProject): Promise<boolean>;
}
