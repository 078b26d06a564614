-- Equipment and logistics: the approved catalogue, kits, warehouses and stock, serial-numbered
-- units with their history, programme assignments, orders with lines and trace lines, home
-- visits, reprocessing and maintenance records, recalls. Dates a person picks (delivery
-- windows, visit days, expiry, purchase) are ISO 'YYYY-MM-DD' text; moments are UTC µs.
-- Lists read whole by the domain (a model's approvals, a kit's roles) are JSON text.

CREATE TABLE warehouses (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE device_models (
    id BLOB PRIMARY KEY,
    manufacturer TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    udi_di TEXT NOT NULL UNIQUE,
    measures TEXT NOT NULL,
    connectivity TEXT NOT NULL,
    hygiene_class TEXT NOT NULL,
    reprocessing_procedure TEXT NOT NULL,
    maintenance_kind TEXT,
    maintenance_days INTEGER,
    purchase_price INTEGER NOT NULL,
    day_rate INTEGER NOT NULL,
    reprocessing_price INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('approved','phasing_out','withdrawn')),
    programmes TEXT NOT NULL,
    organisations TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- What a visit of each FUT service type costs the paying organisation.
CREATE TABLE service_prices (
    service_type TEXT PRIMARY KEY,
    price INTEGER NOT NULL
) STRICT;

CREATE TABLE kits (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL UNIQUE REFERENCES programmes(id),
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE units (
    id BLOB PRIMARY KEY,
    model_id BLOB NOT NULL REFERENCES device_models(id),
    serial TEXT NOT NULL,
    device_id TEXT,
    lot TEXT,
    expiry TEXT,
    software_version TEXT,
    purchased_on TEXT NOT NULL,
    purchase_price INTEGER NOT NULL,
    state TEXT NOT NULL,
    before_hold TEXT,
    location_kind TEXT NOT NULL CHECK (location_kind IN ('warehouse','home','technician','supplier')),
    location_ref BLOB,
    warehouse_id BLOB NOT NULL REFERENCES warehouses(id),
    -- The citizen the unit is with (reserved for, on its way to, in the home of).
    citizen_id BLOB REFERENCES citizens(id),
    last_maintenance_on TEXT,
    updated_at INTEGER NOT NULL,
    UNIQUE (model_id, serial)
) STRICT;
-- Scans are matched ignoring case: one expression index serves them.
CREATE INDEX units_serial ON units(UPPER(serial));
CREATE INDEX units_device_id ON units(device_id);
CREATE INDEX units_citizen ON units(citizen_id);
CREATE INDEX units_state ON units(state);
CREATE INDEX units_lot ON units(model_id, lot);

-- A unit's history: every transition, who, when and why. Append-only, as the audit log.
CREATE TABLE unit_events (
    id BLOB PRIMARY KEY,
    unit_id BLOB NOT NULL REFERENCES units(id),
    event TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    location_kind TEXT NOT NULL,
    location_ref BLOB,
    citizen_id BLOB REFERENCES citizens(id),
    order_id BLOB,
    reason TEXT NOT NULL,
    by_user BLOB,
    by_name TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX unit_events_unit ON unit_events(unit_id, at);
CREATE INDEX unit_events_citizen ON unit_events(citizen_id);
CREATE TRIGGER unit_events_no_update BEFORE UPDATE ON unit_events
BEGIN SELECT RAISE(ABORT, 'unit history is append-only'); END;
CREATE TRIGGER unit_events_no_delete BEFORE DELETE ON unit_events
BEGIN SELECT RAISE(ABORT, 'unit history is append-only'); END;

-- A unit serving one care plan: the plan's organisation pays its share of the day rate.
CREATE TABLE unit_assignments (
    id BLOB PRIMARY KEY,
    unit_id BLOB NOT NULL REFERENCES units(id),
    care_plan_id BLOB NOT NULL REFERENCES care_plans(id),
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    payer_org_id BLOB NOT NULL REFERENCES organisations(id),
    order_id BLOB,
    share INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER
) STRICT;
CREATE INDEX unit_assignments_unit ON unit_assignments(unit_id);
CREATE INDEX unit_assignments_plan ON unit_assignments(care_plan_id);
CREATE INDEX unit_assignments_citizen ON unit_assignments(citizen_id);

CREATE TABLE equipment_orders (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    care_plan_id BLOB REFERENCES care_plans(id),
    payer_org_id BLOB NOT NULL REFERENCES organisations(id),
    service_type TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('routine','urgent')),
    earliest TEXT,
    latest TEXT,
    door_code TEXT NOT NULL,
    contact_person TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_by BLOB,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX equipment_orders_citizen ON equipment_orders(citizen_id);
CREATE INDEX equipment_orders_status ON equipment_orders(status, created_at);

CREATE TABLE order_lines (
    id BLOB PRIMARY KEY,
    order_id BLOB NOT NULL REFERENCES equipment_orders(id),
    role TEXT NOT NULL,
    models TEXT NOT NULL,
    unit_id BLOB REFERENCES units(id),
    -- A replacement line: the faulty unit the new one takes over from.
    replaces_unit_id BLOB REFERENCES units(id),
    status TEXT NOT NULL CHECK (status IN ('pending','allocated','delivered','returned','cancelled'))
) STRICT;
CREATE INDEX order_lines_order ON order_lines(order_id);
CREATE INDEX order_lines_unit ON order_lines(unit_id);

-- The plans a line's unit will serve once installed (more than one when a second
-- programme's kit is ordered while the first is on its way).
CREATE TABLE order_line_plans (
    line_id BLOB NOT NULL REFERENCES order_lines(id),
    care_plan_id BLOB NOT NULL REFERENCES care_plans(id),
    payer_org_id BLOB NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (line_id, care_plan_id)
) STRICT;

CREATE TABLE order_trace (
    id BLOB PRIMARY KEY,
    order_id BLOB NOT NULL REFERENCES equipment_orders(id),
    at INTEGER NOT NULL,
    by_user BLOB,
    by_name TEXT NOT NULL,
    status_from TEXT,
    status_to TEXT,
    text TEXT NOT NULL
) STRICT;
CREATE INDEX order_trace_order ON order_trace(order_id, at);

CREATE TABLE visits (
    id BLOB PRIMARY KEY,
    order_id BLOB REFERENCES equipment_orders(id),
    unit_id BLOB REFERENCES units(id),
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    payer_org_id BLOB NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned','done','cancelled')),
    planned_on TEXT NOT NULL,
    technician_id BLOB REFERENCES staff_users(id),
    proof TEXT,
    notes TEXT NOT NULL,
    price INTEGER,
    done_at INTEGER,
    done_by_name TEXT
) STRICT;
CREATE INDEX visits_day ON visits(planned_on, status);
CREATE INDEX visits_citizen ON visits(citizen_id);
-- A month's statement reads the visits done in it.
CREATE INDEX visits_done ON visits(done_at);

CREATE TABLE reprocessing_records (
    id BLOB PRIMARY KEY,
    unit_id BLOB NOT NULL REFERENCES units(id),
    previous_citizen_id BLOB REFERENCES citizens(id),
    payer_org_id BLOB REFERENCES organisations(id),
    cleaning_method TEXT NOT NULL,
    disinfection_agent TEXT NOT NULL,
    contact_time_minutes INTEGER NOT NULL,
    operator_id BLOB,
    operator_name TEXT NOT NULL,
    data_wiped INTEGER NOT NULL,
    factory_reset INTEGER NOT NULL,
    function_test_passed INTEGER NOT NULL,
    notes TEXT NOT NULL,
    price INTEGER NOT NULL,
    completed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX reprocessing_unit ON reprocessing_records(unit_id, completed_at);
CREATE INDEX reprocessing_completed ON reprocessing_records(completed_at);

CREATE TABLE maintenance_records (
    id BLOB PRIMARY KEY,
    unit_id BLOB NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    done_on TEXT NOT NULL,
    by_name TEXT NOT NULL,
    notes TEXT NOT NULL,
    visit_id BLOB REFERENCES visits(id)
) STRICT;
CREATE INDEX maintenance_unit ON maintenance_records(unit_id, done_on);

CREATE TABLE stock_levels (
    warehouse_id BLOB NOT NULL REFERENCES warehouses(id),
    model_id BLOB NOT NULL REFERENCES device_models(id),
    reorder_level INTEGER NOT NULL,
    PRIMARY KEY (warehouse_id, model_id)
) STRICT;

CREATE TABLE stock_takes (
    id BLOB PRIMARY KEY,
    warehouse_id BLOB NOT NULL REFERENCES warehouses(id),
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    by_name TEXT NOT NULL
) STRICT;

CREATE TABLE stock_take_scans (
    stock_take_id BLOB NOT NULL REFERENCES stock_takes(id),
    unit_id BLOB NOT NULL REFERENCES units(id),
    at INTEGER NOT NULL,
    PRIMARY KEY (stock_take_id, unit_id)
) STRICT;

CREATE TABLE recalls (
    id BLOB PRIMARY KEY,
    udi_di TEXT NOT NULL,
    lot TEXT,
    reason TEXT NOT NULL,
    by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
