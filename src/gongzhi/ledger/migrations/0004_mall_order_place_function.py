"""On PostgreSQL an order is placed by one server-side function: one round trip instead of fourteen.

The function does what ``ledger.mall._order_place_orm`` does, in the same order and under the same locks
(the buyer's points account, then the item, then the mall's account), and writes the same rows: the
order, its first event, the payment transaction, both entries, both balances. Nothing is held while the
client is away, so the hot rows (the item, the subdistrict's mall account) are locked for microseconds.

A refusal changes nothing and comes back as an outcome code; ``ledger.mall`` turns it into the same
MallError as the portable path. ``tests/ledger/test_mall.py`` runs on SQLite (portable path) and on
PostgreSQL (this function). A change to the order path changes both, in a new migration for this one.
"""

from django.db import migrations

ORDER_PLACE = """
CREATE OR REPLACE FUNCTION gongzhi_mall_order_place(
    p_buyer bigint, p_item bigint, p_quantity integer, p_client_key text, p_memo text, p_at timestamptz
) RETURNS TABLE (outcome text, order_id bigint, points bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_sub bigint;
    v_node bigint;
    v_price bigint;
    v_limit integer;
    v_active boolean;
    v_person bigint;
    v_mall bigint;
    v_balance bigint;
    v_total bigint;
    v_had bigint;
    v_order bigint;
    v_tx bigint;
BEGIN
    SELECT i.subdistrict_id, i.node_id, i.price, i.limit_per_person, i.is_active
      INTO v_sub, v_node, v_price, v_limit, v_active
      FROM ledger_mallitem i WHERE i.id = p_item;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_item'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    SELECT a.id INTO v_person FROM ledger_pointsaccount a
     WHERE a.kind = 'person' AND a.node_id = v_sub AND a.user_id = p_buyer;
    SELECT a.id INTO v_mall FROM ledger_pointsaccount a
     WHERE a.kind = 'mall' AND a.node_id = v_sub AND a.user_id IS NULL;
    IF v_person IS NULL OR v_mall IS NULL THEN
        RETURN QUERY SELECT 'need_accounts'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    -- 1. The buyer's account: serialises one buyer's orders (limit check, same key twice).
    SELECT a.balance INTO v_balance FROM ledger_pointsaccount a WHERE a.id = v_person FOR UPDATE;
    SELECT o.id INTO v_order FROM ledger_mallorder o WHERE o.buyer_id = p_buyer AND o.client_key = p_client_key;
    IF FOUND THEN
        RETURN QUERY SELECT 'repeat'::text, v_order, NULL::bigint;
        RETURN;
    END IF;
    IF NOT v_active THEN
        RETURN QUERY SELECT 'not_on_offer'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    v_total := v_price * p_quantity;
    IF v_balance < v_total THEN
        RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    IF v_limit IS NOT NULL THEN
        SELECT COALESCE(SUM(o.quantity), 0) INTO v_had FROM ledger_mallorder o
         WHERE o.item_id = p_item AND o.buyer_id = p_buyer AND o.status IN ('placed', 'approved', 'picked_up');
        IF v_had + p_quantity > v_limit THEN
            RETURN QUERY SELECT 'over_limit'::text, NULL::bigint, v_limit::bigint;
            RETURN;
        END IF;
    END IF;

    -- 2. The item: the conditional update is the reservation; no row, nothing written.
    UPDATE ledger_mallitem SET stock = stock - p_quantity
     WHERE id = p_item AND is_active AND stock >= p_quantity;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'sold_out'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    INSERT INTO ledger_mallorder
        (item_id, node_id, buyer_id, quantity, points, status, client_key, pickup_code, note, created_at)
        VALUES (p_item, v_node, p_buyer, p_quantity, v_total, 'placed', p_client_key, '', '', p_at)
        RETURNING id INTO v_order;
    INSERT INTO ledger_mallorderevent (order_id, actor_id, action, from_status, to_status, note, at)
        VALUES (v_order, p_buyer, 'place', '', 'placed', '', p_at);

    -- 3. The payment: the buyer's account is locked already; the mall's is incremented last.
    INSERT INTO ledger_pointstransaction (key, kind, memo, actor_id, created_at)
        VALUES ('mall-order:' || v_order, 'order', left(p_memo, 200), p_buyer, p_at)
        RETURNING id INTO v_tx;
    INSERT INTO ledger_pointsentry (transaction_id, account_id, amount, created_at)
        VALUES (v_tx, v_person, -v_total, p_at), (v_tx, v_mall, v_total, p_at);
    UPDATE ledger_pointsaccount SET balance = v_balance - v_total WHERE id = v_person;
    UPDATE ledger_pointsaccount SET balance = balance + v_total WHERE id = v_mall AND kind = 'mall';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'mall account % vanished', v_mall;
    END IF;
    RETURN QUERY SELECT 'ok'::text, v_order, v_total;
END
$fn$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ORDER_PLACE, None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS gongzhi_mall_order_place(bigint, bigint, integer, text, text, timestamptz)",
            None,
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_earning_rules_and_awards")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
