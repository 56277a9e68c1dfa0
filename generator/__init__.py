"""matcalc's generator: exercise families, known solutions, rendering and export."""
