print("perimeterd")
