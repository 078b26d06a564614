-- Equipment and logistics: the approved catalogue, kits, warehouses and stock, serial-numbered
-- units with their history, programme assignments, orders with lines and trace lines, home
-- visits, reprocessing and maintenance records, recalls. Dates a person picks (delivery
-- windows, visit days, expiry, purchase) are ISO 'YYYY-MM-DD' text; moments are UTC µs.
-- Lists read whole by the domain (a model's approvals, a kit's roles) are JSON text.

CREATE TABLE warehouses (
    id UUID PRIMARY KEY,
    org_id UUID NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE device_models (
    id UUID PRIMARY KEY,
    manufacturer TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    udi_di TEXT NOT NULL UNIQUE,
    measures TEXT NOT NULL,
    connectivity TEXT NOT NULL,
    hygiene_class TEXT NOT NULL,
    reprocessing_procedure TEXT NOT NULL,
    maintenance_kind TEXT,
    maintenance_days BIGINT,
    purchase_price BIGINT NOT NULL,
    day_rate BIGINT NOT NULL,
    reprocessing_price BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('approved','phasing_out','withdrawn')),
    programmes TEXT NOT NULL,
    organisations TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- What a visit of each FUT service type costs the paying organisation.
CREATE TABLE service_prices (
    service_type TEXT PRIMARY KEY,
    price BIGINT NOT NULL
);

CREATE TABLE kits (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL UNIQUE REFERENCES programmes(id),
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE units (
    id UUID PRIMARY KEY,
    model_id UUID NOT NULL REFERENCES device_models(id),
    serial TEXT NOT NULL,
    device_id TEXT,
    lot TEXT,
    expiry TEXT,
    software_version TEXT,
    purchased_on TEXT NOT NULL,
    purchase_price BIGINT NOT NULL,
    state TEXT NOT NULL,
    before_hold TEXT,
    location_kind TEXT NOT NULL CHECK (location_kind IN ('warehouse','home','technician','supplier')),
    location_ref UUID,
    warehouse_id UUID NOT NULL REFERENCES warehouses(id),
    -- The citizen the unit is with (reserved for, on its way to, in the home of).
    citizen_id UUID REFERENCES citizens(id),
    last_maintenance_on TEXT,
    updated_at BIGINT NOT NULL,
    UNIQUE (model_id, serial)
);
-- Scans are matched ignoring case: one expression index serves them.
CREATE INDEX units_serial ON units(UPPER(serial));
CREATE INDEX units_device_id ON units(device_id);
CREATE INDEX units_citizen ON units(citizen_id);
CREATE INDEX units_state ON units(state);
CREATE INDEX units_lot ON units(model_id, lot);

-- A unit's history: every transition, who, when and why. Append-only, as the audit log.
CREATE TABLE unit_events (
    id UUID PRIMARY KEY,
    unit_id UUID NOT NULL REFERENCES units(id),
    event TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    location_kind TEXT NOT NULL,
    location_ref UUID,
    citizen_id UUID REFERENCES citizens(id),
    order_id UUID,
    reason TEXT NOT NULL,
    by_user UUID,
    by_name TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX unit_events_unit ON unit_events(unit_id, at);
CREATE INDEX unit_events_citizen ON unit_events(citizen_id);
CREATE FUNCTION unit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'unit history is append-only'; END $$;
CREATE TRIGGER unit_events_no_change BEFORE UPDATE OR DELETE ON unit_events
FOR EACH ROW EXECUTE FUNCTION unit_events_append_only();

-- A unit serving one care plan: the plan's organisation pays its share of the day rate.
CREATE TABLE unit_assignments (
    id UUID PRIMARY KEY,
    unit_id UUID NOT NULL REFERENCES units(id),
    care_plan_id UUID NOT NULL REFERENCES care_plans(id),
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    payer_org_id UUID NOT NULL REFERENCES organisations(id),
    order_id UUID,
    share BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX unit_assignments_unit ON unit_assignments(unit_id);
CREATE INDEX unit_assignments_plan ON unit_assignments(care_plan_id);
CREATE INDEX unit_assignments_citizen ON unit_assignments(citizen_id);

CREATE TABLE equipment_orders (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    care_plan_id UUID REFERENCES care_plans(id),
    payer_org_id UUID NOT NULL REFERENCES organisations(id),
    service_type TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('routine','urgent')),
    earliest TEXT,
    latest TEXT,
    door_code TEXT NOT NULL,
    contact_person TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_by UUID,
    created_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX equipment_orders_citizen ON equipment_orders(citizen_id);
CREATE INDEX equipment_orders_status ON equipment_orders(status, created_at);

CREATE TABLE order_lines (
    id UUID PRIMARY KEY,
    order_id UUID NOT NULL REFERENCES equipment_orders(id),
    role TEXT NOT NULL,
    models TEXT NOT NULL,
    unit_id UUID REFERENCES units(id),
    -- A replacement line: the faulty unit the new one takes over from.
    replaces_unit_id UUID REFERENCES units(id),
    status TEXT NOT NULL CHECK (status IN ('pending','allocated','delivered','returned','cancelled'))
);
CREATE INDEX order_lines_order ON order_lines(order_id);
CREATE INDEX order_lines_unit ON order_lines(unit_id);

-- The plans a line's unit will serve once installed (more than one when a second
-- programme's kit is ordered while the first is on its way).
CREATE TABLE order_line_plans (
    line_id UUID NOT NULL REFERENCES order_lines(id),
    care_plan_id UUID NOT NULL REFERENCES care_plans(id),
    payer_org_id UUID NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (line_id, care_plan_id)
);

CREATE TABLE order_trace (
    id UUID PRIMARY KEY,
    order_id UUID NOT NULL REFERENCES equipment_orders(id),
    at BIGINT NOT NULL,
    by_user UUID,
    by_name TEXT NOT NULL,
    status_from TEXT,
    status_to TEXT,
    text TEXT NOT NULL
);
CREATE INDEX order_trace_order ON order_trace(order_id, at);

CREATE TABLE visits (
    id UUID PRIMARY KEY,
    order_id UUID REFERENCES equipment_orders(id),
    unit_id UUID REFERENCES units(id),
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    payer_org_id UUID NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned','done','cancelled')),
    planned_on TEXT NOT NULL,
    technician_id UUID REFERENCES staff_users(id),
    proof TEXT,
    notes TEXT NOT NULL,
    price BIGINT,
    done_at BIGINT,
    done_by_name TEXT
);
CREATE INDEX visits_day ON visits(planned_on, status);
CREATE INDEX visits_citizen ON visits(citizen_id);
-- A month's statement reads the visits done in it.
CREATE INDEX visits_done ON visits(done_at);

CREATE TABLE reprocessing_records (
    id UUID PRIMARY KEY,
    unit_id UUID NOT NULL REFERENCES units(id),
    previous_citizen_id UUID REFERENCES citizens(id),
    payer_org_id UUID REFERENCES organisations(id),
    cleaning_method TEXT NOT NULL,
    disinfection_agent TEXT NOT NULL,
    contact_time_minutes BIGINT NOT NULL,
    operator_id UUID,
    operator_name TEXT NOT NULL,
    data_wiped BOOLEAN NOT NULL,
    factory_reset BOOLEAN NOT NULL,
    function_test_passed BOOLEAN NOT NULL,
    notes TEXT NOT NULL,
    price BIGINT NOT NULL,
    completed_at BIGINT NOT NULL
);
CREATE INDEX reprocessing_unit ON reprocessing_records(unit_id, completed_at);
CREATE INDEX reprocessing_completed ON reprocessing_records(completed_at);

CREATE TABLE maintenance_records (
    id UUID PRIMARY KEY,
    unit_id UUID NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    done_on TEXT NOT NULL,
    by_name TEXT NOT NULL,
    notes TEXT NOT NULL,
    visit_id UUID REFERENCES visits(id)
);
CREATE INDEX maintenance_unit ON maintenance_records(unit_id, done_on);

CREATE TABLE stock_levels (
    warehouse_id UUID NOT NULL REFERENCES warehouses(id),
    model_id UUID NOT NULL REFERENCES device_models(id),
    reorder_level BIGINT NOT NULL,
    PRIMARY KEY (warehouse_id, model_id)
);

CREATE TABLE stock_takes (
    id UUID PRIMARY KEY,
    warehouse_id UUID NOT NULL REFERENCES warehouses(id),
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    by_name TEXT NOT NULL
);

CREATE TABLE stock_take_scans (
    stock_take_id UUID NOT NULL REFERENCES stock_takes(id),
    unit_id UUID NOT NULL REFERENCES units(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (stock_take_id, unit_id)
);

CREATE TABLE recalls (
    id UUID PRIMARY KEY,
    udi_di TEXT NOT NULL,
    lot TEXT,
    reason TEXT NOT NULL,
    by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
