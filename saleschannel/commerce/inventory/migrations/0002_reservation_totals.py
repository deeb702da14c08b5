"""The running sum of reservations per (stock, SKU), filled from the ledger as it stands."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import Sum


def fill_totals(apps, schema_editor):
    Reservation = apps.get_model("inventory", "Reservation")
    ReservationLock = apps.get_model("inventory", "ReservationLock")
    sums = Reservation.objects.values("stock_id", "sku").annotate(total=Sum("quantity"))
    for row in sums.iterator():
        total = Decimal(row["total"] or 0).quantize(Decimal("0.0001"))
        ReservationLock.objects.update_or_create(stock_id=row["stock_id"], sku=row["sku"],
                                                 defaults={"reserved": total})


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reservationlock",
            name="reserved",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=16),
        ),
        migrations.RunPython(fill_totals, migrations.RunPython.noop),
    ]
