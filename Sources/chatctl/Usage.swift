/// The `--help` texts.
enum Usage {
    static func text(_ topic: ChatctlCommand.Topic) -> String {
        switch topic {
        case .overview:
            return """
                chatctl: administer the chat database.

                Usage: chatctl COMMAND [OPTIONS]

                Commands:
                  migrate                        apply the missing sql/NNN_*.sql migrations
                  seed-demo                      load demo users, circles, chats and messages (idempotent)
                  token USER_ID [--ttl SECONDS]  mint a session for a user; prints only the token
                  prune [--older-than-hours N]   delete stream events older than N hours (default 24) and stale uploads
                  seed-search [--messages N] [--conversations N]
                                                 load a synthetic data set for scripts/bench-search
                  seed-scale [--messages N] [--users N] [--conversations N]
                                                 load the scale data set for scripts/bench-scale

                Environment:
                  DATABASE_URL   the PostgreSQL URL (required), e.g. postgres://chat@127.0.0.1:5432/chat
                  CHAT_SQL_DIR   the migrations folder (default: the nearest sql/ above the executable
                                 or the current directory)

                Run `chatctl COMMAND --help` for one command. Exit status: 0 on success, 1 on any error.
                """
        case .migrate:
            return """
                Usage: chatctl migrate

                Applies the sql/NNN_*.sql files not yet recorded in chat.schema_migrations, in order,
                each in its own transaction, under an advisory lock (safe to run from several processes
                at once; a second run applies nothing). Prints the files applied.
                """
        case .seedDemo:
            return """
                Usage: chatctl seed-demo

                Loads demo data: 2 admins (admin-grace, admin-tomas), 36 members, 4 circles, 3 circle
                chats (one admins-only), 7 direct chats, about 150 messages over the last 5 days, and
                read markers. Running it again adds nothing.
                """
        case .token:
            return """
                Usage: chatctl token USER_ID [--ttl SECONDS]

                Mints a session for an active user and prints only its bearer token on stdout, e.g.
                  TOKEN=$(chatctl token admin-grace)
                --ttl SECONDS  lifetime, 60 to 2592000 (default 86400)
                """
        case .prune:
            return """
                Usage: chatctl prune [--older-than-hours N]

                Deletes chat.events rows committed more than N hours ago (default 24), in batches of
                10,000. Streams resuming from before the kept window get a reset. Also deletes uploads
                not attached to a message within 24 hours (with their bytes). Run it hourly.
                """
        case .seedSearch:
            return """
                Usage: chatctl seed-search [--messages N] [--conversations N]

                Loads the message-search benchmark's data set into an empty database, quickly (COPY):
                N messages (default 1,000,000) of 4-24 made-up words over N circle chats (default
                10,000) of 8 members each; the member bench-member is in 20 of them. No stream events
                are written for these messages. Run it once, on a database nobody else uses.
                """
        case .seedScale:
            return """
                Usage: chatctl seed-scale [--messages N] [--users N] [--conversations N]

                Loads the scale benchmark's data set into an empty database, quickly (COPY): N messages
                (default 10,000,000) from N users (default 100,000: 10 to 50 admins, the rest members)
                over N conversations (default 20,000: two in five circle chats, of 10-50 members and a
                few of 1,000-5,000, one in ten admins-only; the rest direct chats admin - member),
                spread unevenly, with read markers. scale-member is in 20 circles and 10 direct
                chats; scale-admin is an admin. No stream events are written for these messages; the
                foreign keys of the big tables are checked once at the end. About a minute per million
                messages on two cores. Run it once, on a database nobody else uses.
                """
        }
    }
}
