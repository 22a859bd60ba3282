"""The bottom layer: errors, dimension symbols and the safe parser, exact algebra, shape
arithmetic, argument coercion and naming.  It knows no layer, framework or output format."""
