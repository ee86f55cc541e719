"""Pure business core: money, tax, EN 16931 model, formats. No Django import (import-linter contract)."""
