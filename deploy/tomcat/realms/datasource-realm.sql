-- ComfyGate users in a database, for Tomcat's DataSourceRealm (datasource-realm.xml).
-- PostgreSQL / MariaDB / MySQL syntax. One row per user, one row per (user, role).
-- Roles ComfyGate knows: 'user' (generate, own jobs and images) and 'admin' (everything, including what 'user' may).

CREATE TABLE comfygate_users (
  user_name VARCHAR(64)  NOT NULL PRIMARY KEY,
  -- PBKDF2 hash from $CATALINA_HOME/bin/digest.sh (see README "Users"), never the password itself
  user_pass VARCHAR(255) NOT NULL
);

CREATE TABLE comfygate_user_roles (
  user_name VARCHAR(64) NOT NULL REFERENCES comfygate_users (user_name) ON DELETE CASCADE,
  role_name VARCHAR(32) NOT NULL CHECK (role_name IN ('user', 'admin')),
  PRIMARY KEY (user_name, role_name)
);

-- Example (replace the hash):
-- INSERT INTO comfygate_users VALUES ('alice', '<salt>$100000$<hash> from digest.sh');
-- INSERT INTO comfygate_user_roles VALUES ('alice', 'user');
-- Tomcat reads the tables on every sign-in: a change applies at once, no restart.
-- The account Tomcat connects with needs SELECT on both tables, nothing more.
