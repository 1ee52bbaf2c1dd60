DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'caremgr_app') THEN
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM caremgr_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            REVOKE USAGE, SELECT ON SEQUENCES FROM caremgr_app;
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM caremgr_app;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM caremgr_app;
        REVOKE USAGE ON SCHEMA public FROM caremgr_app;
    END IF;
END
$$;
