-- The role the server serves as, apart from the owner migrations run as.
-- It reads and writes care records but may only append to the audit
-- trail, and it owns nothing, so it can neither alter a table nor disable
-- a trigger. The server gives it a login and a password at start-up
-- (`caremgr serve`) unless APP_DATABASE_URL names another role.
--
-- Roles belong to the whole cluster; an owner without CREATEROLE (a
-- managed database's user) cannot make one, and the server then serves
-- as the owner and says so in its log.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caremgr_app') THEN
        CREATE ROLE caremgr_app NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'no CREATEROLE: caremgr_app not created; the server will serve as the owner';
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'caremgr_app') THEN
        GRANT USAGE ON SCHEMA public TO caremgr_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO caremgr_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO caremgr_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM caremgr_app;
        REVOKE ALL ON __diesel_schema_migrations FROM caremgr_app;
        -- Tables later migrations create are granted the same way.
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO caremgr_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT USAGE, SELECT ON SEQUENCES TO caremgr_app;
    END IF;
END
$$;
